"""Redaction of secret values in free text that leaves the host (image history, command lines, config)."""

import json
import re
import string

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ansible_collections.dockersec.hardening.plugins.module_utils.gather import engine as gather_engine
from ansible_collections.dockersec.hardening.plugins.module_utils import redact
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import images

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


# ---------------------------------------------------------------- image history

def test_history_env_arg_label_values_always_go():
    legacy = "/bin/sh -c #(nop)  LABEL api_token=abc123 maintainer=bob@example.org \"x y\"=\"v w\""
    assert redact.redact_history(legacy) == (
        "/bin/sh -c #(nop)  LABEL api_token=%s maintainer=%s \"x y\"=%s" % (R, R, R))
    assert redact.redact_history("ENV DB_PASSWORD=abc123 OTHER=1") == "ENV DB_PASSWORD=%s" % R
    assert redact.redact_history("ARG VERSION 1.2") == "ARG VERSION=%s" % R
    assert redact.redact_history("LABEL org.opencontainers.image.version=1.0 # buildkit") == (
        "LABEL org.opencontainers.image.version=%s # buildkit" % R)


def test_history_build_args_on_run_lines_go_and_names_stay():
    line = "|2 NPM_TOKEN=abc123 VERSION=1.2 /bin/sh -c npm ci"
    red = redact.redact_history(line)
    assert red == "|2 NPM_TOKEN=%s VERSION=%s /bin/sh -c npm ci" % (R, R)
    # Item 15 still sees the secret-like build argument by name.
    assert images._history_secret_names(red) == {"NPM_TOKEN"}


def test_history_cmd_with_password_flag():
    line = '/bin/sh -c #(nop)  CMD ["sh" "-c" "echo --password=Zq9xVb2k; sleep 1"]'
    assert "Zq9xVb2k" not in redact.redact_history(line)
    assert "--password=" + R in redact.redact_history(line)


def test_history_keeps_what_evaluators_read():
    for line in ("/bin/sh -c apt-get update && apt-get install -y gcc make", '/bin/sh -c #(nop)  ENTRYPOINT ["/tini", "--"]',
                 "COPY id_rsa /root/.ssh/ # buildkit", "/bin/sh -c #(nop) HEALTHCHECK &{[\"CMD\" \"true\"]}"):
        assert redact.redact_history(line) == line


def test_history_none_and_non_strings():
    assert redact.redact_history(None) == ""
    assert redact.redact_history(42) == "42"


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
        "ENV %s=%s" % (name, secret), "ENV %s %s" % (name, secret), "ARG %s=%s" % (name, secret),
        "LABEL %s=%s" % (name, secret), "LABEL anything=\"%s\"" % secret,
        "|1 %s=%s /bin/sh -c make" % (name, secret), "/bin/sh -c echo --password=%s" % secret,
        "/bin/sh -c run --%s %s" % (name.lower().replace("_", "-"), secret),
        "/bin/sh -c %s=%s ./start" % (name, secret), "/bin/sh -c curl https://bob:%s@host/x" % secret.replace("/", "x")
        .replace("@", "x").replace(":", "x"),
    ]
    for line in lines:
        # A value that is also part of the surrounding text (e.g. "password") cannot be told apart.
        assume(secret not in line.replace(secret, "\0"))
        red = redact.redact_history(line)
        assert secret not in red.replace(R, "\0"), (line, red)


def test_collector_history_and_dockerd_cmdline_are_redacted():
    img = gather_engine.normalize_image({"Config": {"Env": ["DB_PASSWORD=abc123"], "Labels": {"api_token": "abc123"}}},
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
