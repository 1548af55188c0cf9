"""Generate docs/controls.md and docs/options.md from the catalog (its controls and options), and
each role's README.md (plus README.md's "never touches" table) from its meta/argument_specs.yml.

The catalog is the only place a control is defined, and which role fixes it; a role's argument
spec is the only place its variables and what it never touches are written. These pages are
derived from them.
`--check` exits 1 when the committed pages differ from what would be generated (the unit
tests run it so stale docs fail the build).
"""

import argparse
import json
import os
import re
import sys

import yaml

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


# ------------------------------------------------------------------------------------ roles

ROLES_DIR = os.path.join(REPO, "roles")
# A role's argument spec says what it never touches in the description item starting so.
NEVER_TOUCHES = "Never touches: "
# README.md holds the table of every role's "never touches" between these lines.
TABLE_BEGIN = "<!-- BEGIN never-touches: generated from roles/*/meta/argument_specs.yml by `make docs` -->"
TABLE_END = "<!-- END never-touches -->"


def _markdown(text):
    """Ansible doc markup (C(), O(), V(), I()) as Markdown code."""
    return re.sub(r"\b[COVI]\(([^()]*(?:\([^()]*\)[^()]*)*)\)", r"`\1`", str(text))


def _role_spec(role):
    with open(os.path.join(ROLES_DIR, role, "meta", "argument_specs.yml")) as f:
        return yaml.safe_load(f)["argument_specs"]["main"]


def _role_meta(role):
    with open(os.path.join(ROLES_DIR, role, "meta", "main.yml")) as f:
        return yaml.safe_load(f)["galaxy_info"]


def _as_list(value):
    return value if isinstance(value, list) else [value]


def never_touches(role, spec=None):
    """What ``role`` never touches: its argument spec's "Never touches: ..." description item."""
    items = [d for d in _as_list((spec or _role_spec(role)).get("description") or [])
             if str(d).startswith(NEVER_TOUCHES)]
    if len(items) != 1:
        raise ValueError("roles/%s/meta/argument_specs.yml: the main description needs exactly one item starting"
                         " %r, found %d" % (role, NEVER_TOUCHES, len(items)))
    return items[0][len(NEVER_TOUCHES):].rstrip(".")


def _type_cell(spec):
    kind = spec.get("type", "str")
    if kind == "list" and spec.get("elements"):
        kind = "list of %s" % spec["elements"]
    return kind


def _default_cell(spec):
    if "default" not in spec:
        return "required" if spec.get("required") else "(set by the role; see description)"
    return "`%s`" % _cell(json.dumps(spec["default"], sort_keys=True))


def _option_rows(options, prefix=""):
    rows = []
    for name in sorted(options):
        spec = options[name]
        text = " ".join(_markdown(d) for d in _as_list(spec.get("description") or []))
        if spec.get("choices"):
            text += " One of: %s." % ", ".join("`%s`" % c for c in spec["choices"])
        rows.append("| `%s%s` | %s | %s | %s |" % (prefix, name, _type_cell(spec), _default_cell(spec), _cell(text)))
        if spec.get("options"):
            sub = prefix + name + ("[]." if spec.get("type") == "list" else ".")
            rows += _option_rows(spec["options"], sub)
    return rows


def role_readme(role, spec=None, meta=None):
    spec = spec or _role_spec(role)
    meta = meta or _role_meta(role)
    fqcn = "dockersec.hardening.%s" % role
    owned = [catalog.get(cid) for cid in catalog.role_controls(role)]
    standalone = role in catalog.STANDALONE_ROLES
    if not owned and not standalone:
        raise ValueError("the catalog gives role %s no control to fix" % role)
    if owned and standalone:
        raise ValueError("role %s is standalone (outside remediate.yml) but the catalog gives it %s"
                         % (role, ", ".join(c["id"] for c in owned)))
    out = [
        "# %s" % fqcn,
        "",
        "<!-- Generated from roles/%s/meta/argument_specs.yml and plugins/module_utils/catalog.json by"
        " `make docs` (tools/gen_docs.py); do not edit by hand. -->" % role,
        "",
        "%s." % _markdown(spec["short_description"]).rstrip("."),
        "",
    ]
    for item in _as_list(spec.get("description") or []):
        if not str(item).startswith(NEVER_TOUCHES):
            out += [_markdown(item), ""]
    if standalone:
        out += [
            "## When it runs",
            "",
            "It fixes no checklist control, so `dockersec.hardening.remediate` never runs it, not even when"
            " `dockersec_remediate_roles` names it: it is opt-in. Run it with the `%s` playbook"
            " (`--check` shows what it would do) or in a play of your own (Example below)." % fqcn,
            "",
        ]
    else:
        out += [
            "## What it fixes",
            "",
            "The controls the catalog gives this role ([docs/controls.md](../../docs/controls.md)):",
            "",
            "| control | title | CIS Docker Benchmark | points |",
            "| --- | --- | --- | --- |",
        ] + ["| %s | %s | %s | %d |" % (c["id"], _cell(c["title"]), _cell(", ".join(c["cis"])) or "none",
                                        catalog.max_points(c["id"])) for c in owned] + [""]
        if role in catalog.OPT_IN_ROLES:
            runs = "It is opt-in: `dockersec.hardening.remediate` runs it only when `dockersec_remediate_roles` names it."
        else:
            runs = "`dockersec.hardening.remediate` runs it by default (`dockersec_remediate_roles`)."
        out += [
            "%s There it gets only the controls it owns whose verdict in the first audit is `fail`, plus the"
            " ones `dockersec_fix_controls` names; `dockersec_skip_controls` wins. Used on its own, it fixes"
            " the controls in `%s_controls` (default: all of the above, less `dockersec_skip_controls`)."
            % (runs, role),
            "",
        ]
    out += [
        "## What it never touches",
        "",
        "%s." % _markdown(never_touches(role, spec)),
        "",
        "## Variables",
        "",
        "Checked against `meta/argument_specs.yml` before the role changes anything: a wrong type or value"
        " fails naming the variable (`ansible-doc -t role %s`)." % fqcn,
        "",
        "| variable | type | default | description |",
        "| --- | --- | --- | --- |",
    ] + _option_rows(spec.get("options") or {}) + [
        "",
        "## Platforms",
        "",
        "Tested on %s, with ansible-core >= %s on the controller."
        % ("; ".join("%s %s" % (p["name"], ", ".join(str(v) for v in p["versions"])) for p in meta["platforms"]),
           meta["min_ansible_version"]),
        "",
        "## Example",
        "",
    ] + ([
        "Through its playbook (`playbooks/%s.yml`; required variables with `-e`):" % role,
        "",
        "```sh",
        "ansible-playbook -i inventory.yml %s -e '%s' --check" % (fqcn, json.dumps(
            dict((k, "app") for k, v in sorted((spec.get("options") or {}).items()) if v.get("required")))),
        "```",
    ] if standalone else [
        "Through the playbook, which audits, fixes only what fails and audits again:",
        "",
        "```sh",
        "ansible-playbook -i inventory.yml dockersec.hardening.remediate -e '{\"dockersec_remediate_roles\": [\"%s\"]}'"
        % role,
        "```",
    ]) + [
        "",
        "On its own, in a play:",
        "",
        "```yaml",
        spec["examples"].rstrip("\n"),
        "```",
    ]
    return "\n".join(out) + "\n"


def readme_with_table(text=None):
    """README.md with its "never touches" table regenerated from the roles' argument specs."""
    if text is None:
        with open(os.path.join(REPO, "README.md")) as f:
            text = f.read()
    if text.count(TABLE_BEGIN) != 1 or text.count(TABLE_END) != 1:
        raise ValueError("README.md needs the lines %r and %r once each" % (TABLE_BEGIN, TABLE_END))
    head, rest = text.split(TABLE_BEGIN)
    tail = rest.split(TABLE_END)[1]
    table = ["| role | never touches |", "| --- | --- |"] + [
        "| `%s` | %s |" % (role, _cell(_markdown(never_touches(role))))
        for role in catalog.REMEDIATION_ROLES + catalog.STANDALONE_ROLES]
    return head + TABLE_BEGIN + "\n" + "\n".join(table) + "\n" + TABLE_END + tail


def _roles():
    found = sorted(d for d in os.listdir(ROLES_DIR) if os.path.isdir(os.path.join(ROLES_DIR, d)))
    known = sorted(catalog.REMEDIATION_ROLES + catalog.STANDALONE_ROLES)
    if found != known:
        raise ValueError("roles/ holds %s, the catalog's remediation and standalone roles are %s"
                         % (", ".join(found), ", ".join(known)))
    return found


PAGES = {"docs/controls.md": controls_md, "docs/options.md": options_md, "README.md": readme_with_table}
PAGES.update(("roles/%s/README.md" % role, (lambda role=role: role_readme(role))) for role in _roles())


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
