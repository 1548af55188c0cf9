"""Generate docs/controls.md and docs/options.md from the catalog (its controls and options).

The catalog is the only place a control is defined; these pages are derived from it.
`--check` exits 1 when the committed pages differ from what would be generated (the unit
tests run it so stale docs fail the build).
"""

import argparse
import os
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
COLLECTIONS = os.path.join(REPO, ".collections")
sys.path.insert(0, COLLECTIONS)

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog  # noqa: E402


def _cell(text):
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _role_cell(role):
    return "`dockersec.hardening.%s`" % role if role else "none: report only"


def controls_md():
    out = [
        "# Controls",
        "",
        "Generated from `plugins/module_utils/catalog.json` by `make docs`; do not edit by hand.",
        "",
        "Each of the 50 checklist items is worth %d points (100 in all). Extended controls (`X.n`) are"
        " reported beside the score, never in it." % catalog.POINTS_PER_ITEM,
        "",
        "Coverage: the points actually decided (`pass`, `fail`, `manual`; not `waived`, `not_applicable`"
        " or `error`) out of 100. A band is given only when coverage is at least `dockersec_min_coverage`"
        " (default %g); below it the band is `%s`, and `dockersec_fail_under` fails the host unless"
        " `dockersec_fail_incomplete: false`. Every report prints coverage and the number of waivers"
        " beside the score." % (catalog.DEFAULT_MIN_COVERAGE, catalog.INCOMPLETE_BAND),
        "",
        "Modes: **automated** (decided from gathered facts), **manual** (earns points only from an"
        " attestation in inventory), **attestable** (decided from facts where the host holds evidence,"
        " otherwise an attestation may earn it).",
        "",
        "Privilege: what the gather needs on the host to read the facts a control uses (the most any of"
        " its collectors needs). The audit playbook gathers with become (`dockersec_become`, default"
        " true); the collection never asks for a user to be added to the `docker` group, because access"
        " to the Engine API socket is root-equivalent. Run without become as a user who lacks the"
        " privilege, a control comes out as `error` naming the collector and the reason.",
        "",
        "| collector | privilege | why |",
        "| --- | --- | --- |",
    ] + ["| %s | %s | %s |" % (name, level, _cell(why))
         for name, (level, why) in sorted(catalog.COLLECTOR_PRIVILEGE.items())] + [""]
    sections = list(catalog.SECTIONS.items()) + [(catalog.EXTENDED_SECTION, "Extended profile (not scored)")]
    for key, name in sections:
        controls = [c for c in catalog.CONTROLS if c["section"] == key]
        heading = "Section %s: %s" % (key, name) if isinstance(key, int) else name
        out += ["## %s" % heading, ""]
        for c in controls:
            out += [
                "### %s. %s" % (c["id"], c["title"]),
                "",
                "| | |",
                "| --- | --- |",
                "| CIS Docker Benchmark | %s |" % (_cell(", ".join(c["cis"])) or "none"),
                "| mode | %s |" % c["mode"],
                "| scope | %s |" % c["scope"],
                "| facts read | %s |" % (_cell(", ".join(c["requires"])) or "inventory only"),
                "| privilege | %s |" % c["privilege"],
                "| how it is checked | %s |" % _cell(c["check"]),
                "| upstream rule it follows | %s |" % _cell(c["rule"]),
                "| how it is fixed | %s |" % _cell(c["fix"]),
                "| remediation role | %s |" % _role_cell(c["remediation_role"]),
                "| hazards | %s |" % (_cell(c["hazards"]) or "none known"),
                "",
            ]
    return "\n".join(out).rstrip() + "\n"


def _option_type(spec):
    """``int >= 0``, ``list of str``, ``dict of str``, ``str matching ...``: what the first play accepts."""
    text = spec.get("type")
    if spec.get("elements"):
        text += " of %s" % spec["elements"]
    if spec.get("values"):
        text += " of %s" % spec["values"]
    if spec.get("min") is not None:
        text += " >= %s" % spec["min"]
    if spec.get("pattern"):
        text += " matching `%s`" % spec["pattern"]
    return text


def options_md():
    specs = catalog.OPTIONS
    out = [
        "# Audit options (`dockersec_options`)",
        "",
        "Generated from the `options` of `plugins/module_utils/catalog.json` by `make docs`; do not edit by hand.",
        "Set any of these in inventory as keys of the dict `dockersec_options`; unknown keys, wrong"
        " types, values out of range and list elements of another type are refused by the first play,"
        " before any host is touched (an empty `dockersec_options:` means none set).",
        "",
        "| option | type | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for name in sorted(specs):
        spec = specs[name]
        out.append("| `%s` | %s | `%s` | %s |" % (name, _cell(_option_type(spec)), _cell(repr(spec.get("default"))),
                                                  _cell(spec.get("description"))))
    return "\n".join(out) + "\n"


PAGES = {"docs/controls.md": controls_md, "docs/options.md": options_md}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when the committed docs are stale")
    args = parser.parse_args()
    stale = []
    for rel, build in PAGES.items():
        path = os.path.join(REPO, rel)
        text = build()
        current = open(path).read() if os.path.exists(path) else None
        if current == text:
            continue
        if args.check:
            stale.append(rel)
        else:
            with open(path, "w") as f:
                f.write(text)
            print("wrote %s" % rel)
    if stale:
        print("stale generated docs: %s (run `make docs` and commit)" % ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
