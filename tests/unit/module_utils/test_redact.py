"""Redaction of secret values in free text that leaves the host (command lines, config)."""

import json
import re
import string

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ansible_collections.dockersec.hardening.plugins.module_utils.gather import docker as gather_docker
from ansible_collections.dockersec.hardening.plugins.module_utils import redact

R = redact.REDACTED
# Values like the ones ansible.builtin.password generates (letters, digits, a few punctuation marks).
_SECRET = st.text(alphabet=string.ascii_letters + string.digits + "_.,:-+/", min_size=8, max_size=40)


# ---------------------------------------------------------------- redact_text: pass and fail cases

def test_password_flag_with_equals_is_redacted():
    assert redact.redact_text("sh -c echo --password=Zq9xVb2k") == "sh -c echo --password=%s" % R


def test_password_flag_with_space_is_redacted_but_next_flag_is_kept():
    assert redact.redact_text("mysqld --db-password hunter22 --port 3306") == (
        "mysqld --db-password %s --port 3306" % R)
    # A secret-like flag without a value does not eat the flag that follows.
    assert redact.redact_text("docker login --password-stdin --username bob") == (
        "docker login --password-stdin --username bob")


def test_secret_assignments_keep_the_name():
    assert redact.redact_text("DB_PASSWORD=abc API_TOKEN='x y' api-key=\"q w\" HOME=/root") == (
        "DB_PASSWORD=%s API_TOKEN=%s api-key=%s HOME=/root" % (R, R, R))


def test_url_credentials_are_redacted():
    assert redact.redact_text("--registry-mirror=https://bob:s3cr3t@mirror.example:5000/v2") == (
        "--registry-mirror=https://bob:%s@mirror.example:5000/v2" % R)


def test_harmless_text_is_unchanged():
    for line in ("/bin/sh -c apt-get install -y libsecret-1-dev gcc", "dockerd -H fd:// --icc=false",
                 "RUN --mount=type=secret,id=npmrc npm ci", "/bin/sh -c #(nop)  CMD [\"nginx\"]"):
        assert redact.redact_text(line) == line


# Image history is summarised, never redacted: tests/unit/module_utils/evaluate/test_verdicts_images.py.


# ---------------------------------------------------------------- argv and config

def test_argv_two_argument_secret_flag():
    assert redact.redact_argv(["dockerd", "--tlsverify", "--registry-token", "abc", "-H", "fd://"]) == [
        "dockerd", "--tlsverify", "--registry-token", R, "-H", "fd://"]
    assert redact.redact_argv(["x", "--password"]) == ["x", "--password"]
    assert redact.redact_argv(None) == []


def test_config_redacts_by_key_and_url_credentials_anywhere():
    conf = {"registry-mirrors": ["https://u:pw123@m.example"], "auth-token": "t0k", "icc": False,
            "log-opts": {"splunk-token": "abc", "max-size": "10m"}, "authorization-plugins": ["authz"]}
    out = redact.redact_config(conf)
    assert out == {"registry-mirrors": ["https://u:%s@m.example" % R], "auth-token": R, "icc": False,
                   "log-opts": {"splunk-token": R, "max-size": "10m"}, "authorization-plugins": ["authz"]}


# ---------------------------------------------------------------- properties: random secrets never survive

@settings(max_examples=200, deadline=None)
@given(secret=_SECRET, name=st.sampled_from(["DB_PASSWORD", "api_token", "CLIENT_SECRET", "aws_access_key",
                                            "MYSQL_ROOT_PASSWORD", "x-auth-key"]))
def test_random_secret_values_never_survive(secret, name):
    # Documented limit: after ``--flag <space>``, a value that looks like a flag is kept.
    assume(not re.match(r"--?[A-Za-z]", secret))
    lines = [
        "dockerd --password=%s" % secret, "dockerd --%s %s" % (name.lower().replace("_", "-"), secret),
        "%s=%s ./start" % (name, secret), "--registry-mirror=https://bob:%s@host/x" % secret.replace("/", "x")
        .replace("@", "x").replace(":", "x"),
    ]
    for line in lines:
        # A value that is also part of the surrounding text (e.g. "password") cannot be told apart.
        assume(secret not in line.replace(secret, "\0"))
        red = redact.redact_text(line)
        assert secret not in red.replace(R, "\0"), (line, red)


def test_url_token_as_user_is_redacted():
    assert redact.redact_text("--registry-mirror=https://ghp_Ab12Cd34Ef56Gh78@mirror.example/v2") == (
        "--registry-mirror=https://%s@mirror.example/v2" % R)
    assert redact.redact_text("ssh://git@github.com/x") == "ssh://git@github.com/x"


def test_collector_history_and_dockerd_cmdline_are_redacted():
    img = gather_docker.normalize_image({"Config": {"Env": ["DB_PASSWORD=abc123"], "Labels": {"api_token": "abc123"}}},
                                        [{"CreatedBy": "/bin/sh -c #(nop)  LABEL api_token=abc123"},
                                         {"CreatedBy": "|1 DB_PASSWORD=abc123 /bin/sh -c true"}])
    assert "abc123" not in json.dumps(img)
    assert img["labels_names"] == ["api_token"] and img["env_names"] == ["DB_PASSWORD"]


def test_daemon_config_module_never_prints_secret_values(tmp_path, capsys):
    # remediate.yml --check --diff -v shows the module's result and diff: daemon.json may hold tokens.
    import importlib
    import pytest
    from ansible.module_utils.testing import patch_module_args
    mod = importlib.import_module("ansible_collections.dockersec.hardening.plugins.modules.docker_daemon_config")
    path = tmp_path / "daemon.json"
    path.write_text(json.dumps({"log-driver": "splunk", "log-opts": {"splunk-token": "Tk9aQ7zz", "splunk-url":
                                "https://bob:Pw7xQ2@splunk.example:8088"}}))
    args = {"path": str(path), "settings": {"icc": False}, "engine_version": "20.10.24",
            "_ansible_check_mode": True, "_ansible_diff": True}
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            mod.main()
    out = capsys.readouterr().out
    result = json.loads(out)
    assert result["changed"] and "icc" in result["diff"]["after"]
    assert "Tk9aQ7zz" not in out and "Pw7xQ2" not in out
    assert result["config"]["log-opts"]["splunk-token"] == R
    assert json.loads(path.read_text())["log-opts"]["splunk-token"] == "Tk9aQ7zz"  # check mode: file untouched
