"""The sshd role's decisions: settings validation, drop-in placement, lockout guard, plan."""

import pytest

from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import sshd_policy as sp

DEBIAN = "\n".join([
    "# This is the sshd server system-wide configuration file.",
    "",
    "Include /etc/ssh/sshd_config.d/*.conf",
    "",
    "#PermitRootLogin prohibit-password",
    "PermitRootLogin yes",
    "PasswordAuthentication yes",
    "X11Forwarding yes",
])
WANT = {"PermitRootLogin": "no", "PasswordAuthentication": "no", "X11Forwarding": "no"}
WEAK = {"permitrootlogin": "yes", "passwordauthentication": "yes", "x11forwarding": "yes"}
HARD = {"permitrootlogin": "no", "passwordauthentication": "no", "x11forwarding": "no"}
NAME = "00-dockersec-hardening.conf"


# ----------------------------------------------------------------------------- settings

def test_settings_accepts_strings_ints_and_bools():
    got = sp.validate_settings({"PermitRootLogin": "no", "MaxAuthTries": 3, "X11Forwarding": False})
    assert got == {"PermitRootLogin": "no", "MaxAuthTries": "3", "X11Forwarding": "no"}


@pytest.mark.parametrize("settings, message", [
    ({}, "non-empty dict"),
    ("PermitRootLogin no", "non-empty dict"),
    ({"Permit Root": "no"}, "is not an sshd keyword"),
    ({"Match": "User x"}, "Match is not allowed"),
    ({"include": "/tmp/x"}, "include is not allowed"),
    ({"MaxAuthTries": None}, "needs a single value"),
    ({"AllowUsers": ["a", "b"]}, "needs a single value"),
    ({"Banner": "a\nPermitRootLogin yes"}, "multi-line"),
    ({"Banner": "  "}, "empty"),
    ({"PermitRootLogin": "no", "permitrootlogin": "yes"}, "given twice"),
])
def test_settings_rejects_bad_entries_naming_them(settings, message):
    with pytest.raises(sp.SshdPolicyError, match=message):
        sp.validate_settings(settings)


# ----------------------------------------------------------------------------- placement

def test_debian_include_gets_a_dropin_that_sorts_before_cloud_init():
    got = sp.placement(DEBIAN, ["50-cloud-init.conf"], NAME)
    assert got["mode"] == "dropin"
    assert got["path"] == "/etc/ssh/sshd_config.d/" + NAME
    assert got["include_line"] == 3
    assert got["include_text"] == "Include @TMP@/*.conf"
    assert "50-cloud-init.conf" in got["reason"]


def test_our_own_existing_dropin_and_other_globs_do_not_count():
    got = sp.placement(DEBIAN, [NAME, "50-cloud-init.conf", "00-aaa.conf.bak", "README"], NAME)
    assert got["mode"] == "dropin"


def test_a_file_sorting_first_is_refused_naming_it():
    with pytest.raises(sp.SshdPolicyError, match="would sort after 00-aaa.conf"):
        sp.placement(DEBIAN, ["00-aaa.conf", "50-cloud-init.conf"], NAME)


def test_byte_order_not_locale_order():
    # '-' (0x2d) sorts before '0' (0x30): "00-x" comes before "000-y".
    assert sp.placement(DEBIAN, ["000-early.conf"], NAME)["mode"] == "dropin"
    with pytest.raises(sp.SshdPolicyError):
        sp.placement(DEBIAN, ["0-first.conf"], NAME)


def test_no_include_goes_in_place():
    got = sp.placement("PermitRootLogin yes\n", [], NAME)
    assert got["mode"] == "inplace"
    assert "no Include" in got["reason"]


def test_include_after_settings_goes_in_place():
    text = "PasswordAuthentication yes\nInclude /etc/ssh/sshd_config.d/*.conf\n"
    got = sp.placement(text, [], NAME)
    assert got["mode"] == "inplace"
    assert "line 1" in got["reason"] and "line 2" in got["reason"]


def test_relative_include_resolves_under_etc_ssh_and_keeps_other_patterns():
    text = "Include sshd_config.d/*.conf /etc/ssh/extra/*.conf\n"
    got = sp.placement(text, [], NAME)
    assert got["path"] == "/etc/ssh/sshd_config.d/" + NAME
    assert got["include_text"] == "Include @TMP@/*.conf /etc/ssh/extra/*.conf"


def test_name_must_match_the_include_glob_and_be_plain():
    with pytest.raises(sp.SshdPolicyError, match="does not match the Include pattern"):
        sp.placement("Include /etc/ssh/sshd_config.d/9*.conf\n", [], NAME)
    with pytest.raises(sp.SshdPolicyError, match="plain file name"):
        sp.placement(DEBIAN, [], "../evil.conf")
    with pytest.raises(sp.SshdPolicyError, match="plain file name"):
        sp.placement(DEBIAN, [], ".hidden.conf")


def test_wildcard_directory_goes_in_place():
    assert sp.placement("Include /etc/ssh/*/x.conf\n", [], NAME)["mode"] == "inplace"


# ----------------------------------------------------------------------------- key paths

def test_authorized_key_paths_expand_tokens_and_skip_nologin():
    passwd = {
        "root": ["x", 0, 0, "root", "/root", "/bin/bash"],
        "daemon": ["x", 1, 1, "", "/usr/sbin", "/usr/sbin/nologin"],
        "ops": ["x", 1000, 1000, "", "/home/ops", "/bin/bash"],
    }
    got = sp.authorized_key_paths(passwd, ".ssh/authorized_keys /etc/keys/%u %h/keys%% none")
    assert {"user": "daemon", "path": "/usr/sbin/.ssh/authorized_keys"} not in got
    assert {"user": "ops", "path": "/home/ops/.ssh/authorized_keys"} in got
    assert {"user": "ops", "path": "/etc/keys/ops"} in got
    assert {"user": "root", "path": "/root/keys%"} in got
    assert len(got) == 6


# ----------------------------------------------------------------------------- lockout guard

def test_guard_allows_root_connection_when_another_account_has_a_key():
    assert sp.lockout_guard(WANT, WEAK, "root", ["ops"]) == []


def test_guard_refuses_root_connection_when_nobody_else_has_a_key():
    reasons = sp.lockout_guard(WANT, WEAK, "root", ["root"])
    assert len(reasons) == 1
    assert "no other account has an authorized key" in reasons[0]


def test_guard_refuses_password_off_for_a_user_without_key():
    reasons = sp.lockout_guard(WANT, WEAK, "nokey", ["ops"])
    assert reasons == ["the connecting user nokey has no authorized key: PasswordAuthentication no would lock nokey out"]


def test_guard_allows_a_user_with_a_key():
    assert sp.lockout_guard(WANT, WEAK, "ops", ["ops"]) == []


def test_guard_ignores_settings_already_in_force():
    # Writing "no" again cannot lock anyone out: the host is already there.
    assert sp.lockout_guard(WANT, HARD, "nokey", []) == []
    assert sp.lockout_guard(WANT, HARD, "root", []) == []


def test_guard_root_keeping_root_login_needs_its_own_key():
    want = dict(WANT, PermitRootLogin="prohibit-password")
    assert sp.lockout_guard(want, WEAK, "root", ["root"]) == []
    assert "connecting user root has no authorized key" in sp.lockout_guard(want, WEAK, "root", ["ops"])[0]


def test_guard_password_on_is_never_refused():
    want = dict(WANT, PasswordAuthentication="yes")
    assert sp.lockout_guard(want, WEAK, "nokey", []) == []


# ----------------------------------------------------------------------------- plan

def test_plan_combines_everything():
    facts = {"config_text": DEBIAN, "include_dir_files": ["50-cloud-init.conf"], "effective": WEAK,
             "key_users": ["ops"]}
    got = sp.plan(facts, {"settings": dict(WANT, MaxAuthTries=3), "dropin_name": NAME,
                          "connecting_user": "root", "guard": True})
    assert got["refused"] == []
    assert got["placement"]["mode"] == "dropin"
    assert got["block"] == "PermitRootLogin no\nPasswordAuthentication no\nX11Forwarding no\nMaxAuthTries 3"


def test_plan_guard_off_never_refuses():
    facts = {"config_text": DEBIAN, "include_dir_files": [], "effective": WEAK, "key_users": []}
    got = sp.plan(facts, {"settings": WANT, "dropin_name": NAME, "connecting_user": "root", "guard": False})
    assert got["refused"] == []
    got = sp.plan(facts, {"settings": WANT, "dropin_name": NAME, "connecting_user": "root", "guard": True})
    assert len(got["refused"]) == 1


def test_sshd_T_is_parsed_once_for_the_gather_and_the_role():
    from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import sshd_policy
    out = "port 22\nPermitRootLogin no\npermitrootlogin yes\nsubsystem sftp /usr/lib/openssh/sftp-server\n\nbad\n"
    assert sshd_policy.parse_effective(out) == {"port": "22", "permitrootlogin": "no",
                                                "subsystem": "sftp /usr/lib/openssh/sftp-server"}
    assert sshd_policy.parse_effective(None) == {}
