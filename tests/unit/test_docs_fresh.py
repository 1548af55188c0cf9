"""The generated docs must match the catalog: a stale page fails the build."""

import os
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def test_generated_docs_are_current():
    proc = subprocess.run([sys.executable, os.path.join(REPO, "tools", "gen_docs.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def _gen_docs():
    sys.path.insert(0, os.path.join(REPO, "tools"))
    try:
        import gen_docs
    finally:
        sys.path.pop(0)
    return gen_docs


def test_every_role_has_a_generated_readme():
    gen = _gen_docs()
    roles = sorted(d for d in os.listdir(os.path.join(REPO, "roles")) if os.path.isdir(os.path.join(REPO, "roles", d)))
    assert len(roles) == 10
    for role in roles:
        assert "roles/%s/README.md" % role in gen.PAGES
        with open(os.path.join(REPO, "roles", role, "README.md")) as f:
            assert f.read() == gen.role_readme(role), role


def test_role_readme_carries_the_catalog_controls_the_spec_and_never_touches():
    gen = _gen_docs()
    text = gen.role_readme("daemon")
    # Which controls: the catalog's, each with its title.
    for cid in gen.catalog.role_controls("daemon"):
        assert "| %s | %s |" % (cid, gen.catalog.get(cid)["title"]) in text
    # Every variable with its type and default, suboptions too.
    assert "| `daemon_log_level` | str | `\"info\"` |" in text and "One of: `debug`, `info`" in text
    assert "| `daemon_health_timeout` | int | `60` |" in text
    sub = gen.role_readme("docker_user_chain")
    assert "| `docker_user_chain_port_sources[].port` | int | required |" in sub
    # What it never touches, from the spec's description, in Markdown.
    assert "## What it never touches\n\na daemon.json key of a control that does not fail;" in text
    assert "`daemon_restart_running_containers: true`" in text
    assert "C(" not in text
    # The opt-in roles say so; a standalone role says remediate never runs it, and how to run it.
    assert "It is opt-in" in gen.role_readme("updates") and "It is opt-in" not in text
    rootless = gen.role_readme("rootless")
    assert "`dockersec.hardening.remediate` never runs it" in rootless and "## What it fixes" not in rootless
    assert "ansible-playbook -i inventory.yml dockersec.hardening.rootless -e '{\"rootless_user\": \"app\"}'" in rootless


def test_a_changed_spec_changes_the_readme_and_the_never_touches_table():
    gen = _gen_docs()
    spec = gen._role_spec("sshd")
    spec["options"]["sshd_new_knob"] = {"description": "A new knob.", "type": "bool", "default": True}
    assert "| `sshd_new_knob` | bool | `true` | A new knob. |" in gen.role_readme("sshd", spec=spec)
    with open(os.path.join(REPO, "README.md")) as f:
        readme = f.read()
    assert gen.readme_with_table(readme) == readme
    stale = readme.replace("| `sshd` | sshd when item 3 does not fail;", "| `sshd` | sshd when item 3 fails;")
    assert stale != readme and gen.readme_with_table(stale) == readme


def test_never_touches_is_required_once():
    gen = _gen_docs()
    spec = gen._role_spec("swarm")
    spec["description"] = [d for d in spec["description"] if not d.startswith(gen.NEVER_TOUCHES)]
    try:
        gen.never_touches("swarm", spec)
    except ValueError as exc:
        assert "roles/swarm/meta/argument_specs.yml" in str(exc) and "Never touches" in str(exc)
    else:
        raise AssertionError("a spec without 'Never touches' was accepted")


def test_role_examples_use_the_role_and_only_its_variables():
    import yaml
    gen = _gen_docs()
    for role in gen.catalog.REMEDIATION_ROLES + gen.catalog.STANDALONE_ROLES:
        spec = gen._role_spec(role)
        plays = yaml.safe_load(spec["examples"])
        uses = [r for play in plays for r in play.get("roles", [])]
        assert [r["role"] if isinstance(r, dict) else r for r in uses] == ["dockersec.hardening.%s" % role], role
        for r in uses:
            if isinstance(r, dict):
                unknown = set(r.get("vars", {})) - set(spec["options"])
                assert unknown == set(), (role, unknown)
