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
# The guard judges the connecting account's own login (issue 17 item 3) from sshd -T -C for its
# connection, before and after the change. Each fixture also carries ``effective`` and
# ``key_users`` as the old module reported them (every account with any key line), so that the
# same test run against the old guard (another account's key lifted the refusal) fails.

BEFORE = {"permitrootlogin": ["yes"], "passwordauthentication": ["yes"], "pubkeyauthentication": ["yes"],
          "kbdinteractiveauthentication": ["no"], "usepam": ["yes"], "authenticationmethods": ["any"],
          "authorizedkeyscommand": ["none"], "authorizedkeysfile": [".ssh/authorized_keys .ssh/authorized_keys2"],
          "x11forwarding": ["yes"]}
AFTER = dict(BEFORE, permitrootlogin=["no"], passwordauthentication=["no"], x11forwarding=["no"])
KEY = {"type": "ssh-ed25519", "forced": False, "restrict": False, "from": None, "line": 1}
GIT_KEY = dict(KEY, forced=True, path="/home/git/.ssh/authorized_keys")


def ops_key(path="/home/ops/.ssh/authorized_keys", **kw):
    return dict(KEY, path=path, **kw)


def login(user="ops", uid=1000, groups=("ops",), addr="10.0.0.5", keys=(), blocks=()):
    return {"user": user, "uid": uid, "groups": list(groups), "addr": addr, "host": addr, "laddr": "10.0.0.1",
            "lport": "22", "spec": "user=%s,host=%s,addr=%s,laddr=10.0.0.1,lport=22" % (user, addr, addr),
            "via_ssh": True, "keys": list(keys), "match_blocks": list(blocks)}


def guard(who, before=None, after=None, key_users=(), settings=None, **controller):
    before, after, settings = before or BEFORE, after or AFTER, settings or WANT
    facts = {"config_text": DEBIAN, "include_dir_files": [], "login": who, "login_before": before,
             "login_after": after, "key_users": list(key_users),
             "effective": dict((k, v[0]) for k, v in before.items())}
    return sp.plan(facts, {"settings": settings, "dropin_name": NAME, "connecting_user": who["user"],
                           "guard": True, "controller": controller})["refused"]


def test_guard_root_with_a_password_only_is_refused_though_ops_has_a_key():
    reasons = guard(login("root", 0, ["root"]), key_users=["ops"], password_set=True)
    assert reasons == ["root logs in with a password (ansible_password set) and PasswordAuthentication no and "
                       "KbdInteractiveAuthentication no would lock it out"]
    # Password login stays, root login goes to keys only: still no way in for a password.
    after = dict(AFTER, permitrootlogin=["prohibit-password"], passwordauthentication=["yes"])
    reasons = guard(login("root", 0, ["root"]), after=after, key_users=["ops"], password_set="True")
    assert reasons == ["root logs in with a password (ansible_password set) and PermitRootLogin prohibit-password "
                       "would lock it out"]


def test_guard_another_accounts_key_never_lifts_the_refusal():
    root = login("root", 0, ["root"], keys=[ops_key("/root/.ssh/authorized_keys")])
    reasons = guard(root, key_users=["root", "ops"], key_file="/k/id")
    assert reasons == ["root logs in with a key (ansible_ssh_private_key_file set) and PermitRootLogin no would "
                       "lock it out"]
    assert guard(root, after=dict(AFTER, permitrootlogin=["without-password"]), key_file="/k/id") == []


def test_guard_ops_with_a_key_may_turn_passwords_and_root_off():
    assert guard(login(keys=[ops_key()]), key_users=["ops"], key_file="/k/id") == []
    # No variable on the controller (agent or default identity): the usable key is the way in.
    assert guard(login(keys=[ops_key()]), key_users=["ops"]) == []


def test_guard_ops_key_from_a_per_connection_authorized_keys_file_counts():
    # Match User ops / AuthorizedKeysFile /etc/ssh/keys/%u: the global sshd -T the old module read
    # does not show that file, the account's own sshd -T -C does.
    before = dict(BEFORE, authorizedkeysfile=["/etc/ssh/keys/%u"])
    assert guard(login(keys=[ops_key("/etc/ssh/keys/ops")]), before=before,
                 after=dict(AFTER, authorizedkeysfile=["/etc/ssh/keys/%u"]), key_users=[]) == []


def test_guard_git_forced_command_key_and_root_with_a_password_is_refused():
    reasons = guard(login("root", 0, ["root"]), key_users=["git"], password_set=True)
    assert len(reasons) == 1 and reasons[0].startswith("root logs in with a password (ansible_password set)")
    # Connected as git itself: its forced-command key is no shell, so it logs in with a password.
    reasons = guard(login("git", 998, ["git"], keys=[GIT_KEY]), key_users=["git"])
    assert reasons == ["git logs in with a password (its only key(s) in /home/git/.ssh/authorized_keys carry a "
                       "forced command (no shell)) and PasswordAuthentication no and KbdInteractiveAuthentication "
                       "no would lock it out"]


def test_guard_allowusers_without_the_account_is_refused():
    settings = dict(WANT, AllowUsers="admin")
    reasons = guard(login(keys=[ops_key()]), after=dict(AFTER, allowusers=["admin"]), key_users=["ops"],
                    settings=settings, key_file="/k/id")
    assert reasons == ["ops logs in with a key (ansible_ssh_private_key_file set) and AllowUsers admin (ops from "
                       "10.0.0.5 is not listed) would lock it out"]


def test_guard_denygroups_with_a_supplementary_group_of_the_account_is_refused():
    reasons = guard(login(groups=["ops", "docker"], keys=[ops_key()]), after=dict(AFTER, denygroups=["dock*"]),
                    key_users=["ops"], settings=dict(WANT, DenyGroups="dock*"))
    assert reasons == ["ops logs in with a key (authorized in /home/ops/.ssh/authorized_keys) and DenyGroups dock* "
                       "(ops is in group docker) would lock it out"]
    reasons = guard(login(groups=["ops"], keys=[ops_key()]), after=dict(AFTER, allowgroups=["admins"]),
                    key_users=["ops"], settings=dict(WANT, AllowGroups="admins"))
    assert reasons and "AllowGroups admins (none of ops's groups ops)" in reasons[0]


MATCH_10 = {"file": "/etc/ssh/sshd_config", "line": 20, "criteria": "Address 10.0.0.0/8",
            "parsed": [("address", "10.0.0.0/8")], "keywords": ["pubkeyauthentication"], "error": None}


def test_guard_match_block_denying_keys_means_the_login_is_by_password():
    # ops holds a key, but Match Address 10.0.0.0/8 turns keys off for where it comes from: its real
    # login is a password, and PasswordAuthentication no takes it away.
    before = dict(BEFORE, pubkeyauthentication=["no"])
    after = dict(AFTER, pubkeyauthentication=["no"])
    reasons = guard(login(keys=[ops_key()], blocks=[MATCH_10]), before=before, after=after, key_users=["ops"])
    assert reasons == ["ops logs in with a password (its key does not work today (PubkeyAuthentication no in "
                       "Match Address 10.0.0.0/8 (/etc/ssh/sshd_config:20))) and PasswordAuthentication no and "
                       "KbdInteractiveAuthentication no would lock it out"]


def test_guard_match_block_keeping_passwords_for_the_account_allows():
    # Match User ops / PasswordAuthentication yes: the global change does not reach ops's login.
    block = {"file": "/etc/ssh/sshd_config.d/10-ops.conf", "line": 1, "criteria": "User ops",
             "parsed": [("user", "ops")], "keywords": ["passwordauthentication"], "error": None}
    assert guard(login(blocks=[block]), after=dict(AFTER, passwordauthentication=["yes"]), password_set=True) == []


def test_guard_names_the_match_block_that_decides():
    block = dict(MATCH_10, keywords=["denyusers"])
    settings = dict(WANT, DenyUsers="ops")
    reasons = guard(login(keys=[ops_key()], blocks=[block]), after=dict(AFTER, denyusers=["ops"]),
                    key_users=["ops"], settings=settings)
    assert reasons[0].endswith("DenyUsers ops in Match Address 10.0.0.0/8 (/etc/ssh/sshd_config:20) would lock it out")


def test_guard_authorized_keys_command_is_unknown_unless_the_user_says():
    before = dict(BEFORE, authorizedkeyscommand=["/usr/bin/sss_ssh_authorizedkeys"])
    after = dict(AFTER, authorizedkeyscommand=["/usr/bin/sss_ssh_authorizedkeys"])
    reasons = guard(login(), before=before, after=after, key_users=[])
    assert reasons == ["ops logs in with a key AuthorizedKeysCommand serves or a password (the guard cannot see "
                       "those keys; set sshd_login_method) and PasswordAuthentication no and "
                       "KbdInteractiveAuthentication no would lock it out"]
    assert guard(login(), before=before, after=after, key_users=[], login_method="publickey") == []
    reasons = guard(login(), before=before, after=after, key_users=[], login_method="password")
    assert reasons and reasons[0].startswith("ops logs in with a password (sshd_login_method)")
    with pytest.raises(sp.SshdPolicyError, match="sshd_login_method: 'ssh' is not one of auto"):
        guard(login(), before=before, after=after, login_method="ssh")


@pytest.mark.parametrize("entry, refused", [
    ("ops@192.168.0.0/16", True),
    ("ops@10.0.0.0/8", False),
    ("ops@10.0.0.*", False),
    ("*@10.0.0.5", False),
    ("admin@10.0.0.0/8", True),
    ("ops@!10.0.0.5,10.0.0.0/8", True),
])
def test_guard_allowusers_user_at_host_patterns(entry, refused):
    reasons = guard(login(keys=[ops_key()]), after=dict(AFTER, allowusers=["admin", entry]),
                    settings=dict(WANT, AllowUsers="admin " + entry), key_users=["ops"])
    assert bool(reasons) is refused
    if refused:
        assert "AllowUsers admin %s (ops from 10.0.0.5 is not listed)" % entry in reasons[0]


def test_guard_denyusers_user_at_host_pattern():
    reasons = guard(login(keys=[ops_key()]), after=dict(AFTER, denyusers=["*@10.0.0.0/24"]),
                    settings=dict(WANT, DenyUsers="*@10.0.0.0/24"), key_users=["ops"])
    assert reasons and "DenyUsers *@10.0.0.0/24 would lock it out" in reasons[0]
    assert guard(login(addr="172.16.0.5", keys=[ops_key()]), after=dict(AFTER, denyusers=["*@10.0.0.0/24"]),
                 settings=dict(WANT, DenyUsers="*@10.0.0.0/24"), key_users=["ops"]) == []


def test_guard_key_from_option_refusing_the_address_is_no_way_in():
    reasons = guard(login(keys=[ops_key(**{"from": "192.168.0.0/16"})]), key_users=["ops"])
    assert reasons and "do not serve this address" in reasons[0]
    assert guard(login(keys=[ops_key(**{"from": "10.0.0.0/8"})]), key_users=["ops"]) == []


def test_guard_authentication_methods_needing_both_are_judged_together():
    before = dict(BEFORE, authenticationmethods=["publickey,password"])
    after = dict(AFTER, authenticationmethods=["publickey,password"], permitrootlogin=["yes"])
    reasons = guard(login(keys=[ops_key()]), before=before, after=after, password_set=True, key_file="/k/id")
    assert reasons == ["ops logs in with a password (ansible_password set) or a key (ansible_ssh_private_key_file "
                       "set) and AuthenticationMethods publickey,password (ops can offer only publickey) would "
                       "lock it out"]


def test_guard_ignores_ways_that_do_not_work_today():
    # Writing "no" again cannot lock anyone out: the host is already there.
    hard = dict(AFTER)
    assert guard(login("nokey"), before=hard, after=hard) == []
    assert guard(login("root", 0, ["root"]), before=hard, after=hard) == []


def test_guard_password_on_is_never_refused():
    assert guard(login("nokey"), after=dict(AFTER, passwordauthentication=["yes"], permitrootlogin=["yes"])) == []


def test_guard_account_that_cannot_be_read_is_refused():
    reasons = guard({"user": "ghost", "error": "no passwd entry for ghost"})
    assert reasons == ["the connecting account ghost cannot be judged: no passwd entry for ghost"]


def test_guard_changed_configuration_sshd_rejects_is_left_to_the_write_step():
    facts = {"config_text": DEBIAN, "include_dir_files": [], "login": login(), "login_before": BEFORE,
             "login_after": None, "candidate_invalid": True}
    assert sp.plan(facts, {"settings": WANT, "dropin_name": NAME, "guard": True})["refused"] == []
    facts["candidate_invalid"] = False
    facts["login_after_error"] = "rc 255: bad"
    assert "on the changed configuration failed: rc 255: bad" in \
        sp.plan(facts, {"settings": WANT, "dropin_name": NAME, "guard": True})["refused"][0]


@pytest.mark.parametrize("line, want", [
    ("ssh-ed25519 AAAAC3 ops@laptop", {"type": "ssh-ed25519", "forced": False, "restrict": False, "from": None}),
    ('command="/usr/bin/gitlab-shell key-1",no-port-forwarding,no-pty ssh-ed25519 AAAAC3 git',
     {"type": "ssh-ed25519", "forced": True, "restrict": False, "from": None}),
    ('restrict,from="10.0.0.0/8,!10.0.0.9" ecdsa-sha2-nistp256 AAAAE2 x',
     {"type": "ecdsa-sha2-nistp256", "forced": False, "restrict": True, "from": "10.0.0.0/8,!10.0.0.9"}),
    ('command="echo a b, c",RESTRICT sk-ssh-ed25519@openssh.com AAAA', {
        "type": "sk-ssh-ed25519@openssh.com", "forced": True, "restrict": True, "from": None}),
    ("# ssh-ed25519 AAAA commented", None),
    ("   ", None),
    ("garbage", None),
])
def test_parse_key_line(line, want):
    assert sp.parse_key_line(line) == want


def test_effective_values_keep_every_pattern_line():
    out = "allowusers ops\nallowusers admin@10.0.0.0/8\nport 22\n"
    assert sp.effective_values(out) == {"allowusers": ["ops", "admin@10.0.0.0/8"], "port": ["22"]}


# ----------------------------------------------------------------------------- plan

def test_plan_combines_everything():
    facts = {"config_text": DEBIAN, "include_dir_files": ["50-cloud-init.conf"], "effective": WEAK,
             "login": login(keys=[ops_key()]), "login_before": BEFORE, "login_after": AFTER}
    got = sp.plan(facts, {"settings": dict(WANT, MaxAuthTries=3), "dropin_name": NAME,
                          "connecting_user": "ops", "guard": True})
    assert got["refused"] == []
    assert got["placement"]["mode"] == "dropin"
    assert got["block"] == "PermitRootLogin no\nPasswordAuthentication no\nX11Forwarding no\nMaxAuthTries 3"


def test_plan_guard_off_never_refuses():
    facts = {"config_text": DEBIAN, "include_dir_files": [], "effective": WEAK, "login": login("root", 0),
             "login_before": BEFORE, "login_after": AFTER}
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


def test_plan_says_how_it_judged_the_login():
    facts = {"config_text": DEBIAN, "include_dir_files": [], "login": login(keys=[ops_key()]),
             "login_before": BEFORE, "login_after": AFTER}
    got = sp.plan(facts, {"settings": WANT, "dropin_name": NAME, "guard": True,
                          "controller": {"key_file": "/k/id", "password_set": False}})
    assert got["login"] == "ops from 10.0.0.5 (over SSH) logs in with a key (ansible_ssh_private_key_file set)"
    facts["login"] = dict(login(keys=[ops_key()]), via_ssh=False)
    got = sp.plan(facts, {"settings": WANT, "dropin_name": NAME, "guard": True})
    assert got["login"] == ("ops from 10.0.0.5 (judged as a login from outside: Ansible does not come in over SSH) "
                            "logs in with a key (authorized in /home/ops/.ssh/authorized_keys)")
    assert sp.plan(facts, {"settings": WANT, "dropin_name": NAME, "guard": False})["login"] is None


def test_login_facts_candidate_copies_the_tree_with_the_change(tmp_path):
    import importlib
    mod = importlib.import_module("ansible_collections.dockersec.hardening.plugins.modules.sshd_login_facts")
    d = tmp_path / "sshd_config.d"
    d.mkdir()
    (d / "50-cloud-init.conf").write_text("PasswordAuthentication yes\n")
    conf = tmp_path / "sshd_config"
    text = "# top\nInclude %s/*.conf\nPermitRootLogin yes\n" % d
    conf.write_text(text)
    work = tmp_path / "work"
    work.mkdir()
    path = mod._candidate(str(work), str(conf), text, {"PasswordAuthentication": "no"}, NAME)
    lines = open(path).read().splitlines()
    assert lines == ["# top", "Include %s/d/*.conf" % work, "PermitRootLogin yes"]
    assert sorted(p.name for p in (work / "d").iterdir()) == [NAME, "50-cloud-init.conf"]
    assert (work / "d" / NAME).read_text() == "PasswordAuthentication no\n"
    assert (d / "50-cloud-init.conf").read_text() == "PasswordAuthentication yes\n"
    assert sorted(p.name for p in d.iterdir()) == ["50-cloud-init.conf"]
    # No Include: the settings go first in a copy of sshd_config itself.
    work2 = tmp_path / "work2"
    work2.mkdir()
    path = mod._candidate(str(work2), str(conf), "PermitRootLogin yes\n", {"PermitRootLogin": "no"}, NAME)
    assert open(path).read() == "PermitRootLogin no\nPermitRootLogin yes\n"
    assert conf.read_text() == text
