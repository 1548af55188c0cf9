# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Pure decisions of the sshd role: where the settings go and whether writing them could lock
people out. No I/O here: the role reads the host, these functions decide, unit tests cover them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import posixpath
import re

_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
# Keywords that open a conditional block or pull in more files: a block written at the top of
# the configuration must not change how the lines after it are read.
_FORBIDDEN_KEYS = ("match", "include")
_NOLOGIN_SHELLS = ("/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false", "")


class SshdPolicyError(ValueError):
    pass


def _strip(line):
    line = line.strip()
    return "" if line.startswith("#") else line


def _value(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def validate_settings(settings, var_name="sshd_settings"):
    """{Keyword: value} to write; raises SshdPolicyError naming the bad entry."""
    if not isinstance(settings, dict) or not settings:
        raise SshdPolicyError("%s must be a non-empty dict of sshd keyword: value" % var_name)
    seen = {}
    out = {}
    for key, value in settings.items():
        key = str(key)
        if not _KEY.match(key):
            raise SshdPolicyError("%s: %r is not an sshd keyword (letters and digits only)" % (var_name, key))
        if key.lower() in _FORBIDDEN_KEYS:
            raise SshdPolicyError("%s: %s is not allowed here (it would change how the rest of the "
                                  "configuration is read)" % (var_name, key))
        if key.lower() in seen:
            raise SshdPolicyError("%s: %s given twice (as %s and %s)" % (var_name, key, seen[key.lower()], key))
        if value is None or isinstance(value, (dict, list)):
            raise SshdPolicyError("%s: %s needs a single value, got %r" % (var_name, key, value))
        text = _value(value).strip()
        if not text or "\n" in text or "\r" in text:
            raise SshdPolicyError("%s: %s has an empty or multi-line value" % (var_name, key))
        seen[key.lower()] = key
        out[key] = text
    return out


def parse_effective(text):
    """``sshd -T`` output as {lower-case keyword: value}; a repeated keyword keeps its first value,
    the one sshd uses. The audit's gather and the sshd role read it through this one parser."""
    effective = {}
    for line in (text or "").splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) == 2 and parts[0].lower() not in effective:
            effective[parts[0].lower()] = parts[1]
    return effective


# Match criteria sshd knows (servconf.c match_cfg_line): "all" and "invalid-user" take no argument,
# the others one pattern list, as "Name value" or (OpenSSH 10) "name=value".
MATCH_CRITERIA = ("all", "invalid-user", "user", "group", "host", "address", "localaddress", "localport",
                  "rdomain", "version")


def config_line(raw):
    """(lower-case keyword, [arguments]) of one sshd_config line, or None for a blank or comment line.

    As servconf.c process_server_config_line_depth reads it: the keyword ends at whitespace or one
    ``=`` (``PermitRootLogin=yes``), the arguments split on whitespace, double quotes group.
    """
    line = raw.strip()
    if not line or line.startswith("#"):
        return None
    m = re.match(r"^([^\s=]+)\s*(?:=\s*)?(.*)$", line)
    if not m:
        return None
    args, rest = [], m.group(2)
    for quoted, bare in re.findall(r'"([^"]*)"|(\S+)', rest):
        args.append(quoted if quoted or not bare else bare)
    return m.group(1).lower(), args


def parse_match(args):
    """The criteria of one ``Match`` line as [(lower-case criterion, pattern list or None)].

    Mirrors servconf.c match_cfg_line: criteria are ANDed, ``#`` ends the line, ``all`` stands
    alone. Raises SshdPolicyError naming a criterion sshd would not accept or this parser does not know.
    """
    criteria, i = [], 0
    args = list(args)
    while i < len(args):
        word = args[i]
        i += 1
        if word.startswith("#"):
            break
        name, _eq, value = word.partition("=")
        name = name.lower()
        if name not in MATCH_CRITERIA:
            raise SshdPolicyError("Match criterion %r not understood" % word)
        if name in ("all", "invalid-user"):
            if _eq:
                raise SshdPolicyError("Match criterion %r takes no argument" % word)
            criteria.append((name, None))
            continue
        if not _eq:
            value = args[i] if i < len(args) else ""
            i += 1
        if not value or value.startswith("#"):
            raise SshdPolicyError("Match criterion %s has no argument" % name)
        criteria.append((name, value))
    if not criteria:
        raise SshdPolicyError("Match without criteria")
    if ("all", None) in criteria and len(criteria) > 1:
        raise SshdPolicyError("Match All combined with other criteria")
    return criteria


def parse_includes(config_text, base_dir="/etc/ssh"):
    """The Include patterns of the main sshd_config, in order, with the line number of each, and
    the first line (outside comments) that sets anything else. sshd resolves relative patterns
    against /etc/ssh."""
    includes, first_setting = [], None
    for number, raw in enumerate(config_text.splitlines(), 1):
        line = _strip(raw)
        if not line:
            continue
        parts = line.split(None, 1)
        if parts[0].lower() == "include" and len(parts) == 2:
            for pattern in parts[1].split():
                pattern = pattern.strip('"')
                if not pattern.startswith("/"):
                    pattern = posixpath.join(base_dir, pattern)
                includes.append({"pattern": pattern, "line": number})
        elif first_setting is None:
            first_setting = number
    return includes, first_setting


def placement(config_text, dir_files, wanted_name, base_dir="/etc/ssh"):
    """Where the hardened settings go.

    A drop-in works only when an Include of a directory glob comes before every other setting
    of the main file (sshd keeps the first value it reads), and only when the drop-in sorts first
    among the files that glob matches (cloud images ship 50-cloud-init.conf with
    PasswordAuthentication yes). Otherwise the settings go in place, at the top of sshd_config.

    ``dir_files``: names of the files present in the Include's directory (the role lists them).
    Returns {mode: dropin|inplace, path (drop-in), dir, reason}.
    """
    if not re.match(r"^[A-Za-z0-9_.@+-]+\.conf$", wanted_name or "") or wanted_name.startswith("."):
        raise SshdPolicyError("sshd_dropin_name: %r must be a plain file name ending in .conf" % wanted_name)
    includes, first_setting = parse_includes(config_text, base_dir)
    if not includes:
        return {"mode": "inplace", "reason": "sshd_config has no Include: the settings go at its top"}
    first = includes[0]
    if first_setting is not None and first_setting < first["line"]:
        return {"mode": "inplace",
                "reason": "sshd_config sets options (line %d) before its Include (line %d): a drop-in "
                          "would not win, the settings go at the top of sshd_config" % (first_setting, first["line"])}
    directory, glob = posixpath.split(first["pattern"])
    if any(c in directory for c in "*?["):
        return {"mode": "inplace", "reason": "the Include %s has a wildcard in its directory" % first["pattern"]}
    if not fnmatch.fnmatchcase(wanted_name, glob):
        raise SshdPolicyError("sshd_dropin_name: %s does not match the Include pattern %s: sshd would not read it"
                              % (wanted_name, first["pattern"]))
    # glob(3) returns names sorted; byte order is what sshd sees under the C locale it runs in.
    others = sorted(n for n in dir_files if n != wanted_name and fnmatch.fnmatchcase(n, glob))
    if others and others[0].encode("utf-8") < wanted_name.encode("utf-8"):
        raise SshdPolicyError("sshd_dropin_name: %s would sort after %s in %s, whose values would win: "
                              "choose a name that sorts first" % (wanted_name, others[0], directory))
    # The validator builds a copy of the tree with this Include line pointing at the copy.
    rewritten = ["@TMP@/" + posixpath.basename(i["pattern"]) if posixpath.dirname(i["pattern"]) == directory
                 else i["pattern"] for i in includes if i["line"] == first["line"]]
    return {"mode": "dropin", "dir": directory, "path": posixpath.join(directory, wanted_name),
            "include_line": first["line"], "include_text": "Include " + " ".join(rewritten),
            "reason": "drop-in %s sorts before %s" % (
                wanted_name, ", ".join(others) if others else "every other file (there is none)")}


def authorized_key_paths(passwd, patterns):
    """[{user, path}] to look at: AuthorizedKeysFile patterns (``sshd -T``, %h %u %% expanded,
    relative ones under the home) for every account with a login shell.

    ``passwd``: ansible.builtin.getent output, {user: [pw, uid, gid, gecos, home, shell]}.
    """
    if isinstance(patterns, str):
        patterns = patterns.split()
    out = []
    for user in sorted(passwd or {}):
        fields = list(passwd[user] or [])
        home = fields[4] if len(fields) > 4 else ""
        shell = fields[5] if len(fields) > 5 else ""
        if shell in _NOLOGIN_SHELLS or not home:
            continue
        for pattern in patterns or []:
            if pattern == "none":
                continue
            path = pattern.replace("%%", "\0").replace("%h", home).replace("%u", user).replace("\0", "%")
            if not path.startswith("/"):
                path = posixpath.join(home, path)
            out.append({"user": user, "path": path})
    return out


# --- the connecting account's own login (issue 17 item 3) ---------------------------------------

def effective_values(text):
    """``sshd -T`` output as {lower-case keyword: [values]}: every line, in order. AllowUsers,
    DenyUsers, AllowGroups and DenyGroups print one line per pattern (servconf.c dump_cfg_strarray),
    so the first-value parser would keep only the first pattern."""
    values = {}
    for line in (text or "").splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) == 2:
            values.setdefault(parts[0].lower(), []).append(parts[1])
    return values


_KEY_TYPE = re.compile(r"^(ssh|ecdsa|sk)-[A-Za-z0-9@._-]+$")


def _split_options(text):
    """auth-options.c sshauthopt_parse: options are comma separated; a double-quoted value may hold commas."""
    out, cur, quoted = [], "", False
    for i, c in enumerate(text):
        if c == '"' and not (i and text[i - 1] == "\\"):
            quoted = not quoted
        if c == "," and not quoted:
            out.append(cur)
            cur = ""
            continue
        cur += c
    out.append(cur)
    return out


def parse_key_line(raw):
    """One authorized_keys line as {type, forced, restrict, from} or None (blank, comment, no key).

    As auth2-pubkeyfile.c auth_check_authkey_line reads it: a line whose first word is not a key
    type starts with options, up to the first blank outside double quotes
    (authfile.c sshkey_advance_past_options). ``forced``: a ``command=`` option: the key runs that command
    and nothing else, so it is no shell for anyone (GitLab's ``git`` keys). ``restrict`` alone
    only takes the pty and forwardings away: Ansible needs neither.
    """
    line = (raw or "").strip()
    if not line or line.startswith("#"):
        return None
    options = ""
    if not _KEY_TYPE.match(line.split(None, 1)[0]):
        quoted, i = False, 0
        while i < len(line) and (quoted or line[i] not in " \t"):
            if line[i] == "\\" and line[i + 1:i + 2] == '"':
                i += 1
            elif line[i] == '"':
                quoted = not quoted
            i += 1
        options, line = line[:i], line[i:].strip()
    words = line.split()
    if not words or not _KEY_TYPE.match(words[0]) or len(words) < 2:
        return None
    opts = {}
    for opt in _split_options(options) if options else []:
        name, eq, value = opt.partition("=")
        opts[name.strip().lower()] = value.strip().strip('"') if eq else True
    return {"type": words[0], "forced": "command" in opts, "restrict": "restrict" in opts,
            "from": opts.get("from") if isinstance(opts.get("from"), str) else None}


def _gather():
    # The pattern rules live with the collector that reads Match blocks (gather/sshd.py imports
    # this module, so the import waits until a guard runs).
    from ansible_collections.dockersec.hardening.plugins.module_utils.gather import sshd as gather_sshd
    return gather_sshd


def match_host_and_ip(host, addr, patterns):
    """match.c match_host_and_ip: 1 when the address or the host name matches ``patterns``, 0 when
    not or a negated entry matches, -1 for a malformed address pattern."""
    g = _gather()
    mip = g.address_list(addr or "", patterns)
    if mip == -2:
        return -1
    if not host or not addr or mip == -1:
        return 0
    mhost = g.pattern_list(host.lower(), patterns, lower=True)
    if mhost == -1 or (mhost == 0 and mip == 0):
        return 0
    return 1


def match_user(user, host, addr, pattern):
    """match.c match_user: one AllowUsers/DenyUsers entry, ``USER`` or ``USER@HOST`` (the last
    ``@`` splits; HOST is a host name or address pattern list, CIDR allowed)."""
    g = _gather()
    if "@" not in pattern:
        return 1 if g._wildcard(user, pattern) else 0
    upat, _at, hpat = pattern.rpartition("@")
    if not g._wildcard(user, upat):
        return 0
    return match_host_and_ip(host, addr, hpat)


def allowed_user(login, eff):
    """auth.c allowed_user, the parts that depend on the configuration: DenyUsers, then
    AllowUsers, then DenyGroups, then AllowGroups (primary and supplementary groups, groupaccess.c
    ga_match: shell-style patterns, no negation). The rule that refuses ``login`` as text, else None."""
    g = _gather()
    user, host, addr = login["user"], login.get("host"), login.get("addr")
    for pat in eff.get("denyusers", []):
        if match_user(user, host, addr, pat) != 0:
            return "DenyUsers %s" % pat
    allow = eff.get("allowusers", [])
    if allow and not any(match_user(user, host, addr, pat) == 1 for pat in allow):
        return "AllowUsers %s (%s from %s is not listed)" % (" ".join(allow), user, addr)
    groups = login.get("groups") or []
    for pat in eff.get("denygroups", []):
        hit = [gr for gr in groups if g._wildcard(gr, pat)]
        if hit:
            return "DenyGroups %s (%s is in group %s)" % (pat, user, hit[0])
    allow = eff.get("allowgroups", [])
    if allow and not any(g._wildcard(gr, pat) for gr in groups for pat in allow):
        return "AllowGroups %s (none of %s's groups %s)" % (" ".join(allow), user, ",".join(groups) or "-")
    return None


def _one(eff, key, default):
    values = eff.get(key) or [default]
    return str(values[0]).lower()


def _methods(way, eff):
    """The authentication methods ``way`` (publickey|password) gets from ``eff``, and the rule that
    leaves none. A password is typed through ``password`` or, with PAM, ``keyboard-interactive``."""
    if way == "publickey":
        if _one(eff, "pubkeyauthentication", "yes") != "yes":
            return set(), "PubkeyAuthentication no"
        return {"publickey"}, None
    got = set()
    if _one(eff, "passwordauthentication", "yes") == "yes":
        got.add("password")
    kbd = _one(eff, "kbdinteractiveauthentication", _one(eff, "challengeresponseauthentication", "yes"))
    if kbd == "yes" and _one(eff, "usepam", "no") == "yes":
        got.add("keyboard-interactive")
    if not got:
        return got, "PasswordAuthentication no" + (
            "" if kbd == "yes" else " and KbdInteractiveAuthentication no")
    return got, None


def login_rule(login, ways, eff):
    """None when ``login`` gets in through ``ways`` under ``eff`` (``sshd -T -C`` for its own
    connection), else the rule that keeps it out: auth.c allowed_user, auth_root_allowed (uid 0:
    PermitRootLogin prohibit-password takes keys only, forced-commands-only only keys with a forced
    command, which give no shell), the methods ``ways`` can use, and AuthenticationMethods
    (auth2.c auth2_setup_methods_lists: every method of one list must succeed)."""
    denied = allowed_user(login, eff)
    if denied:
        return denied
    methods, rule = set(), None
    for way in ways:
        got, why = _methods(way, eff)
        if got and login.get("uid") == 0:
            prl = _one(eff, "permitrootlogin", "prohibit-password")
            if prl == "no" or prl == "forced-commands-only" or (
                    prl in ("prohibit-password", "without-password") and way != "publickey"):
                got, why = set(), "PermitRootLogin %s" % prl
        methods |= got
        rule = rule or why
    if not methods:
        return rule
    lists = " ".join(eff.get("authenticationmethods") or ["any"]).split()
    if lists and lists != ["any"] and not any(
            all(m.split(":")[0] in methods for m in lst.split(",")) for lst in lists):
        return "AuthenticationMethods %s (%s can offer only %s)" % (
            " ".join(lists), login["user"], ",".join(sorted(methods)))
    return None


def _block_applies(block, login):
    """Whether a Match block's criteria (gather/sshd.py read_config) accept this connection."""
    g = _gather()
    for name, pats in block.get("parsed") or [("unknown", None)]:
        if name == "all":
            continue
        if name == "user":
            ok = g.pattern_list(login["user"], pats) == 1
        elif name == "group":
            ok = g._group_ok(login.get("groups") or [], pats)
        elif name == "host":
            ok = g.pattern_list((login.get("host") or "").lower(), pats, lower=True) == 1
        elif name in ("address", "localaddress"):
            ok = g.address_list(login.get("addr" if name == "address" else "laddr") or "", pats) == 1
        elif name == "localport":
            ok = str(login.get("lport")) == pats
        else:
            ok = False
        if not ok:
            return False
    return not block.get("error")


def _where(rule, login, blocks):
    """`` in Match ... (file:line)`` when the first Match block that applies to this connection
    sets the keyword that decided; sshd takes a Match block's value over the global one."""
    key = rule.split()[0].lower()
    for block in blocks or []:
        if key in (block.get("keywords") or []) and _block_applies(block, login):
            return " in Match %s (%s:%s)" % (block["criteria"], block["file"], block["line"])
    return ""


LOGIN_METHODS = ("auto", "publickey", "password")


def login_ways(login, controller, before):
    """How the connecting account logs in today: ([ways], how (text), unknown (bool)).

    Evidence, strongest first: sshd_login_method; the controller's ansible_password (a password;
    Ansible's ssh turns client-side password login off without one) and
    ansible_ssh_private_key_file; the account's authorized keys (a key with a forced command is no
    way in, nor one whose ``from=`` refuses this address). With neither variable the login is by
    key when a usable key works today, else by a password (``--ask-pass``). AuthorizedKeysCommand
    serves keys the guard cannot see: unless the account has a usable key of its own, how it
    logs in is unknown and every way it may use must survive.
    """
    controller = controller or {}
    method = str(controller.get("login_method") or "auto")
    if method not in LOGIN_METHODS:
        raise SshdPolicyError("sshd_login_method: %r is not one of %s" % (method, ", ".join(LOGIN_METHODS)))
    if method != "auto":
        return [method], "with %s (sshd_login_method)" % ("a key" if method == "publickey" else "a password"), False
    keys = login.get("keys") or []
    usable = [k for k in keys if not k.get("forced") and (
        not k.get("from") or match_host_and_ip(login.get("host"), login.get("addr"), k["from"]) == 1)]
    akc = _one(before, "authorizedkeyscommand", "none") not in ("none", "")
    if keys and not usable:
        why = "carry a forced command (no shell)" if all(k.get("forced") for k in keys) else "do not serve this address"
        no_key = "its only key(s) in %s %s" % (keys[0]["path"], why)
    else:
        no_key = "it has no authorized key"
    ways, hows = [], []
    if str(controller.get("password_set")).lower() in ("true", "yes", "1"):
        ways.append("password")
        hows.append("a password (ansible_password set)")
    if controller.get("key_file") and (usable or akc):
        ways.append("publickey")
        hows.append("a key (ansible_ssh_private_key_file set%s)" % ("" if usable else "; AuthorizedKeysCommand"))
    if ways:
        return ways, "with " + " or ".join(hows), False
    key_rule = login_rule(login, ["publickey"], before) if usable else None
    if usable and key_rule is None:
        return ["publickey"], "with a key (authorized in %s)" % usable[0]["path"], False
    if akc:
        return ["publickey", "password"], "with a key AuthorizedKeysCommand serves or a password (the guard " \
            "cannot see those keys; set sshd_login_method)", True
    if usable:
        no_key = "its key does not work today (%s%s)" % (key_rule, _where(key_rule, login, login.get("match_blocks")))
    return ["password"], "with a password (%s)" % no_key, False


def lockout_guard(login, before, after, controller=None):
    """Reasons (list of str) to refuse the change; empty when it is safe.

    ``login``: the connecting account as sshd_login_facts read it (user, uid, groups, addr, host,
    keys, match_blocks); ``before``/``after``: ``sshd -T -C`` for that account's own connection
    with the current and with the changed configuration, {keyword: [values]}; ``controller``:
    {password_set, key_file, login_method, connection}. Only a change counts: a way in that
    does not work today cannot be lost by the change.
    """
    user = login.get("user")
    if login.get("error"):
        return ["the connecting account %s cannot be judged: %s" % (user, login["error"])]
    ways, how, unknown = login_ways(login, controller, before)
    # Unknown: each way it may use must survive. Known: one of its ways is enough.
    trials = [[w] for w in ways] if unknown else [ways]
    reasons = []
    for trial in trials:
        if login_rule(login, trial, before) is not None:
            continue
        rule = login_rule(login, trial, after)
        if rule:
            reasons.append("%s logs in %s and %s%s would lock it out" % (
                user, how, rule, _where(rule, login, login.get("match_blocks"))))
            break
    return reasons


def render_block(settings):
    return "\n".join("%s %s" % (k, v) for k, v in settings.items())


def plan(facts, wanted):
    """Everything the role decides, from what sshd_login_facts read and the role's variables.

    ``wanted``: {settings, dropin_name, connecting_user, guard, controller}. Returns {settings, block,
    placement, refused, login}; ``refused`` non-empty means: write nothing, defer the control; ``login``
    says how the guard judged the connecting account's login (None when it did not).
    """
    facts = facts if isinstance(facts, dict) else {}
    settings = validate_settings(wanted.get("settings"))
    place = placement(facts.get("config_text") or "", facts.get("include_dir_files") or [],
                      wanted.get("dropin_name"))
    refused, judged = [], None
    if wanted.get("guard", True):
        login = facts.get("login") or {"user": wanted.get("connecting_user"),
                                       "error": "sshd_login_facts read no login (login_user not given)"}
        if facts.get("login_after") is None and facts.get("candidate_invalid"):
            # sshd -t rejects the changed configuration: the write step fails the host with sshd's
            # own message and installs nothing, so there is no login to lose.
            refused = []
        elif facts.get("login_after") is None and not login.get("error"):
            refused = ["sshd -T -C %s on the changed configuration failed: %s" % (
                login.get("spec"), facts.get("login_after_error") or "no output")]
        else:
            refused = lockout_guard(login, facts.get("login_before") or {}, facts.get("login_after") or {},
                                    wanted.get("controller"))
        if not login.get("error") and facts.get("login_before"):
            via = "over SSH" if login.get("via_ssh") else \
                "judged as a login from outside: Ansible does not come in over SSH"
            judged = "%s from %s (%s) logs in %s" % (login.get("user"), login.get("addr"), via, login_ways(
                login, wanted.get("controller"), facts["login_before"])[1])
    return {"settings": settings, "block": render_block(settings), "placement": place, "refused": refused,
            "login": judged}
