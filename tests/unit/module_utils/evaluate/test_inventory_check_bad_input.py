"""Issue 18, cases 4, 5 and 7 and the smaller ones: bad profile input is refused up front, by name
and value, and a run that audited nothing does not pass a gate.

In-process for the many cases (``profile.check_variables``, the spec the first play of audit.yml
and remediate.yml checks every dockersec_* variable against); real ansible-playbook runs only for
what needs one: the exit codes of a run with no host matched, a broken inventory and a bad
variable, each with a report directory seeded with an earlier report and history line that must
stay byte-identical. The runs reach no host (unreachable or nonmatching inventory, --check).
"""

import glob
import json
import os
import re
import subprocess
import sys
import textwrap
import types

import pytest
import yaml
from ansible.parsing.yaml.loader import AnsibleLoader

from ansible_collections.dockersec.hardening.plugins.action import docker_audit_profile as profile_action
from ansible_collections.dockersec.hardening.plugins.module_utils import catalog
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine as audit
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import inventory_check as profile
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import docker as gather_docker

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
COLLECTIONS = os.path.join(REPO, ".collections")
TODAY = "2026-06-01"
LIST_VARIABLES = ("dockersec_attestations", "dockersec_custom_controls", "dockersec_fix_controls",
                  "dockersec_profiles", "dockersec_remediate_roles", "dockersec_report_formats",
                  "dockersec_skip_controls", "dockersec_waivers")
MAPPING_VARIABLES = ("dockersec_options",)


def check(**variables):
    return profile.check_variables(dict(("dockersec_" + k, v) for k, v in variables.items()), today=TODAY)


def tagged(text):
    """A value as Ansible hands it over from group_vars (its tagged dict/list/str classes)."""
    return yaml.load(text, Loader=AnsibleLoader)


# -- every variable x wrong types and values ---------------------------------------------------

# (variable, bad value, what the message says after the variable's name)
BAD = [
    ("attestations", {"id": "13"}, "must be a list of entries {id, by, date, evidence, expires}, got dict {'id': '13'}"),
    ("attestations", "13", "must be a list of entries {id, by, date, evidence, expires}, got str '13'"),
    ("become", "perhaps", "must be true or false, got str 'perhaps'"),
    ("become", 2, "must be true or false, got int 2"),
    ("become", None, "must be true or false, got null"),
    ("cis_fail_under", "most", "must be a number from 0 to 100, got str 'most'"),
    ("cis_fail_under", None, "must be a number from 0 to 100, got null"),
    ("custom_controls", {"id": "ORG-1"}, "must be a list of controls {id, title, expression"),
    ("custom_controls", [{"id": "ORG-1", "title": "t", "expression": "host", "compare": "truthy"}],
     "[0] (id ORG-1): severity must be one of low, medium, high, critical, got None"),
    ("daemon_json_path", "", "must be a non-empty string, got str ''"),
    ("daemon_json_path", "etc/docker/daemon.json", "must be an absolute path, got str 'etc/docker/daemon.json'"),
    ("daemon_json_path", ["/etc/docker/daemon.json"], "must be a non-empty string, got list ['/etc/docker/daemon.json']"),
    ("docker_host", "", "must be a non-empty string, got str ''"),
    ("docker_host", "http://10.0.0.1:2375", "must start with unix:// or tcp:// or ssh:// or /, got str 'http://10.0.0.1:2375'"),
    ("docker_host", 2375, "must be a non-empty string, got int 2375"),
    ("fail_incomplete", "sometimes", "must be true or false, got str 'sometimes'"),
    ("fail_under", "high", "must be a number from 0 to 100, got str 'high'"),
    ("fail_under", 150, "must be a number from 0 to 100, got int 150"),
    ("fail_under", -1, "must be a number from 0 to 100, got int -1"),
    ("fail_under", True, "must be a number from 0 to 100, got bool True"),
    ("fail_under", None, "must be a number from 0 to 100, got null"),
    ("fail_under", [80], "must be a number from 0 to 100, got list [80]"),
    ("fix_controls", "6", "must be a list of control ids, got str '6'"),
    ("fix_controls", ["99"], "[0]: no role fixes '99'"),
    ("max_fail_percentage", -5, "must be a whole number from 0 to 100, got int -5"),
    ("max_fail_percentage", "ten", "must be a whole number from 0 to 100, got str 'ten'"),
    ("max_fail_percentage", 12.5, "must be a whole number from 0 to 100, got float 12.5"),
    ("min_coverage", 101, "must be a number from 0 to 100, got int 101"),
    ("min_coverage", "most", "must be a number from 0 to 100, got str 'most'"),
    ("options", [{"max_image_size_mb": 1}], "must be a dict, got list [{'max_image_size_mb': 1}]"),
    ("options", "scan_max_age_days=3", "must be a dict, got str 'scan_max_age_days=3'"),
    ("profiles", ["checklist", "stig"], "[1]: 'stig' is not a profile (the profiles are checklist, cis)"),
    ("profiles", {"cis": True}, "must be a non-empty list of profiles from checklist, cis, got {'cis': True}"),
    ("prometheus_textfile_dir", "", "must be a non-empty string, got str ''"),
    ("prometheus_textfile_dir", "textfiles", "must be an absolute path, got str 'textfiles'"),
    ("prometheus_textfile_in_check", "maybe", "must be true or false, got str 'maybe'"),
    ("remediate_roles", "daemon", "must be a list of role names, got str 'daemon'"),
    ("remediate_roles", ["daemon", "firewall"], "[1]: 'firewall' is not one of daemon, sshd"),
    ("remediate_roles", [["daemon"]], "[0] must be a non-empty string, got list ['daemon']"),
    ("report_dir", "", "must be a non-empty string, got str ''"),
    ("report_dir", "   ", "must be a non-empty string, got str '   '"),
    ("report_dir", None, "must be a non-empty string, got null"),
    ("report_dir", ["/tmp/r"], "must be a non-empty string, got list ['/tmp/r']"),
    ("report_formats", ["json", "pdf"], "[1]: 'pdf' is not one of json, junit, sarif, md, html, prom"),
    ("report_formats", "json,pdf", "[1]: 'pdf' is not one of json"),
    ("report_formats", [5], "[0] must be a non-empty string, got int 5"),
    ("report_formats", {"json": True}, "must be a list of report formats, got dict {'json': True}"),
    ("serial", 0, "must be a batch size (1 or more), a percentage such as '25%' or a list of them, got int 0"),
    ("serial", "150%", "got str '150%'"),
    ("serial", "half", "got str 'half'"),
    ("skip_controls", "6", "must be a list of control ids, got str '6'"),
    ("skip_controls", {"6": True}, "must be a list of control ids, got dict {'6': True}"),
    ("skip_controls", ["99"], "[0]: unknown control id '99'"),
    ("target", "", "must be a non-empty string, got str ''"),
    ("target", 5, "must be a non-empty string, got int 5"),
    ("today", "2026-13-01", ": '2026-13-01' is not a real calendar date"),
    ("today", "tomorrow", ": 'tomorrow' is not a date of the form YYYY-MM-DD"),
    ("today", None, " must be a date YYYY-MM-DD, got null"),
    ("waivers", {"id": "7"}, "must be a list of entries {id, reason, owner, expires}, got dict {'id': '7'}"),
    ("waivers", ["7"], "[0] must be a dict with keys id, reason, owner, expires, got '7'"),
]


@pytest.mark.parametrize("name,value,expected", BAD, ids=["%s=%r" % (n, v) for n, v, e in BAD])
def test_a_wrong_type_or_value_is_refused_naming_variable_and_value(name, value, expected):
    errors = check(**{name: value})
    assert any(e.startswith("dockersec_" + name) and expected in e for e in errors), (expected, errors)
    assert not any("_Ansible" in e for e in errors)


def test_every_variable_has_wrong_values_in_the_matrix():
    assert set("dockersec_" + n for n, v, e in BAD) == set(profile.VARIABLES)


def test_every_variable_the_collection_reads_is_in_the_spec():
    names = set()
    for pattern in ("playbooks/**/*.yml", "roles/**/*.yml", "plugins/action/*.py", "plugins/filter/*.py"):
        for path in glob.glob(os.path.join(REPO, pattern), recursive=True):
            with open(path) as f:
                names.update(re.findall(r"\bdockersec_[a-z0-9_]+\b", f.read()))
    # Task-level names of the last play (counts) and the Prometheus series the docs name.
    local = set(["dockersec_audited", "dockersec_gated", "dockersec_gate_names", "dockersec_counts", "dockersec_audit",
                 "dockersec_score_threshold"])
    assert sorted(names - set(profile.VARIABLES) - set(profile.OUTPUT_VARIABLES) - local) == []


@pytest.mark.parametrize("good", [
    {"fail_under": "80"}, {"fail_under": 0}, {"fail_under": 100.0}, {"min_coverage": "50"},
    {"become": "false"}, {"become": True}, {"fail_incomplete": "yes"}, {"prometheus_textfile_in_check": 0},
    {"report_formats": "json,html"}, {"report_formats": ["all"]}, {"report_formats": ["markdown"]},
    {"serial": 1}, {"serial": "25%"}, {"serial": ["1", "50%"]}, {"max_fail_percentage": "0"},
    {"docker_host": "unix:///run/docker.sock"}, {"docker_host": "tcp://10.0.0.1:2376"},
    {"daemon_json_path": "/etc/docker/daemon.json"}, {"report_dir": "~/reports"}, {"report_dir": "reports"},
    {"target": "web"}, {"target": ["web", "db"]}, {"today": TODAY}, {"skip_controls": [6, "X.3"]},
    {"fix_controls": ["6"]}, {"remediate_roles": ["daemon", "sshd"]},
    {"options": {"max_image_size_mb": 0, "sshd_required": {"permitrootlogin": "no"}, "exclude_containers": []}},
])
def test_good_values_pass(good):
    assert check(**good) == []


@pytest.mark.parametrize("name", LIST_VARIABLES + MAPPING_VARIABLES)
def test_null_list_or_mapping_means_none(name):
    assert profile.check_variables({name: None}, today=TODAY) == []
    # ... as the group_vars loader hands it over (an empty key)
    assert profile.check_variables(tagged("%s:\n" % name), today=TODAY) == []


def test_null_scalars_are_refused():
    scalars = sorted(set(profile.VARIABLES) - set(LIST_VARIABLES + MAPPING_VARIABLES))
    for name in scalars:
        errors = profile.check_variables({name: None}, today=TODAY)
        assert errors and errors[0].startswith(name) and "got null" in errors[0], (name, errors)


def test_later_plays_read_null_as_none():
    # default(x) replaces an undefined variable only; default(x, true) also null, as the first play
    # lets null through for these (and refuses every other falsy value).
    readers = "dockersec_(options|waivers|attestations|skip_controls|fix_controls) \\| default\\((\\{\\}|\\[\\])\\)"
    for pattern in ("playbooks/*.yml", "roles/*/tasks/*.yml", "roles/*/defaults/*.yml"):
        for path in glob.glob(os.path.join(REPO, pattern)):
            with open(path) as f:
                assert not re.search(readers, f.read()), path
    with open(os.path.join(REPO, "playbooks", "remediate.yml")) as f:
        assert "[] if dockersec_remediate_roles is defined and dockersec_remediate_roles is none" in f.read()


def test_tagged_values_are_shown_as_written():
    bad = tagged("dockersec_skip_controls: {a: 1}\ndockersec_options: [1]\ndockersec_waivers: {id: 7}\n")
    errors = profile.check_variables(bad, today=TODAY)
    assert errors == [
        "dockersec_skip_controls must be a list of control ids, got dict {'a': 1}",
        "dockersec_waivers must be a list of entries {id, reason, owner, expires}, got dict {'id': 7}",
        "dockersec_options must be a dict, got list [1]"]


def test_unknown_variable_names_are_refused_with_the_likely_one():
    assert check(fail_undr=80) == ["dockersec_fail_undr is not a variable of dockersec.hardening "
                                   "(did you mean dockersec_fail_under?)"]
    assert check(colour="red")[0].startswith("dockersec_colour is not a variable of dockersec.hardening (they are ")
    # What the playbooks set themselves (an earlier import, an AWX workflow's stats) is not a mistake.
    assert profile.check_variables(dict((n, {}) for n in profile.OUTPUT_VARIABLES), today=TODAY) == []


# -- dockersec_options: every option, its type, range, elements ------------------------------

def _wrong_value(spec):
    return {"int": "30", "bool": "yes", "str": 5, "list": "a,b", "dict": ["k=v"]}[spec["type"]]


@pytest.mark.parametrize("name", sorted(catalog.OPTIONS))
def test_every_option_refuses_a_wrong_type(name):
    spec = catalog.OPTIONS[name]
    value = _wrong_value(spec)
    assert check(options={name: value}) == ["dockersec_options.%s must be of type %s, got %s %r"
                                            % (name, spec["type"], type(value).__name__, value)]


@pytest.mark.parametrize("name", sorted(n for n, s in catalog.OPTIONS.items() if s["type"] == "int"))
def test_every_int_option_refuses_a_negative_value(name):
    # Refused, not judged with the default in its place (benchmark_max_age_days -5 read as 30).
    assert check(options={name: -5}) == ["dockersec_options.%s must be at least %s, got -5"
                                         % (name, catalog.OPTIONS[name]["min"])]
    with pytest.raises(audit.AuditInputError, match="dockersec_options.%s must be at least" % name):
        audit.validate_options({name: -5})


@pytest.mark.parametrize("name", sorted(n for n, s in catalog.OPTIONS.items() if s["type"] == "list"))
@pytest.mark.parametrize("element", [8080, None, True, ["nested"], {"k": "v"}])
def test_every_list_option_refuses_elements_of_the_wrong_type(name, element):
    errors = check(options={name: ["ok", element]})
    assert errors == ["dockersec_options.%s[1] must be of type str (quote it in YAML), got %s %r"
                      % (name, profile.type_name(element), element)]


def test_mapping_option_values_and_patterns():
    # YAML reads `permitrootlogin: no` as false: "False" is not what sshd -T prints.
    assert check(options={"sshd_required": {"permitrootlogin": False}}) == [
        "dockersec_options.sshd_required.permitrootlogin must be of type str (quote it in YAML), got bool False"]
    assert check(options={"min_engine_version": "latest"}) == [
        "dockersec_options.min_engine_version must match ^\\d+\\.\\d+(\\.\\d+)?$, got 'latest'"]
    assert check(options={"min_engine_version": "25.0.3"}) == []


def test_unknown_option_keys_are_refused_every_one():
    errors = check(options={"no_such": 1, "benchmark_max_age": 5, "max_image_size_mb": 10})
    assert [e.split(" is not")[0] for e in errors] == ["dockersec_options.no_such", "dockersec_options.benchmark_max_age"]


# -- the message: capped, printed once ---------------------------------------------------------

def _action(task_vars, args=None):
    task = types.SimpleNamespace(args=dict(args or {"variables": True}), async_val=0, check_mode=True,
                                 action="dockersec.hardening.docker_audit_profile")
    connection = types.SimpleNamespace(_shell=types.SimpleNamespace(tmpdir="/nonexistent"))

    class Templar:
        def template(self, value):
            if isinstance(value, str) and "{{ nope }}" in value:
                raise ValueError("'nope' is undefined\nmore lines")
            return value

    plugin = profile_action.ActionModule(task, connection, None, None, Templar(), None)
    return plugin.run(task_vars=dict(task_vars, inventory_hostname="db1"))


def test_ten_thousand_bad_waivers_print_twenty_problems_and_the_count():
    waivers = [{"id": "99", "reason": "r", "owner": "o", "expires": "2030-01-01"}] * 10000
    res = _action({"dockersec_waivers": waivers, "dockersec_today": TODAY})
    assert res["failed"] and res["error_count"] == 10000 and "errors" not in res
    assert res["msg"].count("unknown control id '99'") == profile.MAX_ERRORS
    assert res["msg"].endswith("; and 9980 more problems (fix these first)")
    assert len(json.dumps(res)) < 3000


def test_a_long_value_is_cut_in_the_message():
    res = _action({"dockersec_report_dir": ["x" * 100000]})
    assert res["failed"] and len(res["msg"]) < 400 and res["msg"].endswith("...")


def test_the_action_checks_every_variable_the_host_sees():
    res = _action({"dockersec_options": {"benchmark_max_age_days": -5}, "dockersec_waivers": None,
                   "dockersec_report_dir": "", "other_variable": 1})
    assert res["failed"] and res["msg"] == (
        "db1: invalid dockersec profile, nothing was run: dockersec_options.benchmark_max_age_days must be at "
        "least 0, got -5; dockersec_report_dir must be a non-empty string, got str ''")
    good = _action({"dockersec_options": None, "dockersec_waivers": None, "dockersec_skip_controls": None})
    assert not good.get("failed") and good["msg"] == "db1: profile valid (0 waivers, 0 attestations, 0 skipped controls)"


def test_an_unknown_report_format_in_the_environment_is_refused_up_front(monkeypatch):
    monkeypatch.setenv("DOCKERSEC_REPORT_FORMATS", "json,pdf")
    res = _action({})
    assert res["failed"] and res["msg"].startswith(
        "db1: invalid dockersec profile, nothing was run: DOCKERSEC_REPORT_FORMATS (environment)[1]: 'pdf' is not one of")
    assert not _action({"dockersec_report_formats": ["json"]}).get("failed")  # the variable wins, as in the report step


def test_a_variable_that_cannot_be_templated_is_named():
    res = _action({"dockersec_report_dir": "{{ nope }}/reports", "dockersec_gather": "{{ nope }}"})
    assert res["failed"] and res["msg"] == ("db1: invalid dockersec profile, nothing was run: "
                                            "dockersec_report_dir cannot be templated: 'nope' is undefined")


def test_the_first_play_checks_every_variable():
    for name in ("audit.yml", "remediate.yml"):
        with open(os.path.join(REPO, "playbooks", name)) as f:
            plays = yaml.safe_load(f)
        # The first play's tasks, with the task files it imports (playbooks/tasks/check_inputs.yml) read in.
        tasks = []
        for task in plays[0]["tasks"]:
            if "ansible.builtin.import_tasks" in task:
                with open(os.path.join(REPO, "playbooks", task["ansible.builtin.import_tasks"])) as f:
                    tasks.extend(yaml.safe_load(f))
            else:
                tasks.append(task)
        first = [t for t in tasks if "dockersec.hardening.docker_audit_profile" in t]
        args = first[0]["dockersec.hardening.docker_audit_profile"] if first else {}
        assert args.get("variables") is True and set(args) <= set(["variables", "remediation"]), name
        assert plays[0].get("any_errors_fatal") is True


# -- dockersec_docker_host that is not a socket -------------------------------------------------

def test_a_docker_host_that_is_a_regular_file_says_so(tmp_path):
    path = tmp_path / "docker.sock"
    path.write_text("not a socket")
    import socket
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with pytest.raises(OSError) as exc:
        sock.connect(str(path))
    sock.close()
    msg = gather_docker.describe_engine_error(exc.value, "unix://%s" % path)
    assert msg == ("%s is a regular file, not the Docker engine's socket: set dockersec_docker_host to dockerd's "
                   "unix socket" % path)
    assert "is a directory" in gather_docker.describe_engine_error(exc.value, "unix://%s" % tmp_path)
    assert "dockerd is not running" in gather_docker.describe_engine_error(
        ConnectionRefusedError(111, "Connection refused"), "unix://%s" % (tmp_path / "absent.sock"))


# -- real runs: exit codes, and the earlier report and history untouched ------------------------

GHOST = "ghost ansible_connection=ssh ansible_host=127.0.0.1 ansible_port=1 ansible_ssh_common_args='-o ConnectTimeout=2'\n"


def _seed(directory):
    directory.mkdir()
    (directory / "dockersec-report.json").write_text('{"hosts": {"web1": {"score": 72.0}}}\n')
    (directory / "dockersec-history.jsonl").write_text('{"host": "web1", "score": 72.0, "date": "2026-11-01"}\n')
    return dict((p.name, p.read_bytes()) for p in directory.iterdir())


def _playbook(tmp_path, playbook, inventory, *extra):
    binary = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    if not os.path.exists(binary):
        pytest.skip("ansible-playbook is not installed next to %s" % sys.executable)
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "DOCKERSEC_")))
    (tmp_path / "empty.cfg").write_text("")
    env.update({"ANSIBLE_CONFIG": str(tmp_path / "empty.cfg"), "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
                "ANSIBLE_HOME": str(tmp_path / "ansible-home"), "ANSIBLE_LOCAL_TEMP": str(tmp_path / "local-tmp"),
                "ANSIBLE_NOCOLOR": "1", "ANSIBLE_HOST_KEY_CHECKING": "False"})
    proc = subprocess.run([binary, "-i", str(inventory), "--check", "-e", "dockersec_become=false",
                           "-e", "dockersec_report_dir=%s" % (tmp_path / "reports"),
                           os.path.join(REPO, "playbooks", playbook)] + list(extra),
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=120, check=False)
    return proc, proc.stdout + proc.stderr


RUNS = [
    # (case, playbook, inventory text (None: a file that does not parse), extra args, rc, message)
    ("target matches nothing, gate set", "audit.yml", GHOST,
     ["-e", "dockersec_target=nomatch", "-e", "dockersec_fail_under=80"], 2,
     "dockersec: no host was audited, and dockersec_fail_under is set: the pattern nomatch (dockersec_target) "
     "matched none of the 1 inventory hosts"),
    ("target matches nothing, CIS gate set", "audit.yml", GHOST,
     ["-e", "dockersec_target=nomatch", "-e", "dockersec_cis_fail_under=80"], 2,
     "dockersec: no host was audited, and dockersec_cis_fail_under is set: the pattern nomatch (dockersec_target) "
     "matched none of the 1 inventory hosts"),
    ("target matches nothing, no gate", "audit.yml", GHOST, ["-e", "dockersec_target=nomatch"], 0,
     "dockersec: no host was audited: the pattern nomatch matched no host of the inventory (1 hosts)"),
    ("broken inventory, gate set", "remediate.yml", None, ["-e", "dockersec_fail_under=80"], 2,
     "dockersec: no host was audited, and dockersec_fail_under is set: the inventory holds no host (sources: "),
    ("bad variables in group_vars", "audit.yml", "yaml", [], 2,
     "ghost: invalid dockersec profile, nothing was run: dockersec_options.benchmark_max_age_days must be at "
     "least 0, got -5; dockersec_options.published_port_allowlist[0] must be of type str (quote it in YAML), "
     "got int 8080; dockersec_report_formats[1]: 'pdf' is not one of json"),
]


@pytest.mark.parametrize("case,playbook,inventory,extra,rc,message", RUNS, ids=[r[0] for r in RUNS])
def test_real_run_exit_code_and_the_earlier_report_is_intact(tmp_path, case, playbook, inventory, extra, rc, message):
    seeded = _seed(tmp_path / "reports")
    path = tmp_path / "inventory.ini"
    if inventory is None:
        path = tmp_path / "inventory.yml"
        path.write_text("all: [hosts: {ghost\n")
    elif inventory == "yaml":
        path = tmp_path / "inventory.yml"
        path.write_text(textwrap.dedent("""\
            all:
              hosts:
                ghost: {ansible_connection: ssh, ansible_host: 127.0.0.1, ansible_port: 1}
              vars:
                dockersec_fail_under: 80
                dockersec_waivers:
                dockersec_skip_controls:
                dockersec_report_formats: [json, pdf]
                dockersec_options:
                  benchmark_max_age_days: -5
                  published_port_allowlist: [8080]
            """))
    else:
        path.write_text(inventory)
    proc, out = _playbook(tmp_path, playbook, path, *extra)
    assert proc.returncode == rc, out
    assert message in out, out
    assert "Traceback" not in out and "_AnsibleTagged" not in out, out
    # Nothing reached a host, and nothing was written: the earlier report and history byte for byte.
    assert "Gather Docker host facts" not in out, out
    assert dict((p.name, p.read_bytes()) for p in (tmp_path / "reports").iterdir()) == seeded
