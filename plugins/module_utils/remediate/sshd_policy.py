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


def lockout_guard(wanted, effective, connecting_user, key_users):
    """Reasons (list of str) to refuse the change; empty when it is safe.

    ``wanted``: settings to write; ``effective``: ``sshd -T`` as {lowercase key: value};
    ``key_users``: accounts with at least one authorized key.
    Only a change counts: a host already at ``no`` cannot be locked by writing ``no`` again.
    """
    low = dict((str(k).lower(), str(v).lower()) for k, v in (wanted or {}).items())
    eff = dict((str(k).lower(), str(v).lower()) for k, v in (effective or {}).items())
    keys = set(key_users or [])
    user = str(connecting_user)
    others = sorted(keys - {"root"})
    root_off = low.get("permitrootlogin") == "no"
    reasons = []
    if root_off and eff.get("permitrootlogin") != "no" and user == "root" and not others:
        reasons.append("Ansible connects as root and no other account has an authorized key: "
                       "PermitRootLogin no would leave no SSH way in")
    if low.get("passwordauthentication") == "no" and eff.get("passwordauthentication") != "no":
        if user == "root" and root_off:
            # root's own key stops counting once root login is off; another account must carry on.
            if not others and not reasons:
                reasons.append("Ansible connects as root, root login is being turned off and no other "
                               "account has an authorized key: PasswordAuthentication no would lock everyone out")
        elif user not in keys:
            reasons.append("the connecting user %s has no authorized key: PasswordAuthentication no would "
                           "lock %s out" % (user, user))
    return reasons


def render_block(settings):
    return "\n".join("%s %s" % (k, v) for k, v in settings.items())


def plan(facts, wanted):
    """Everything the role decides, from what sshd_login_facts read and the role's variables.

    ``wanted``: {settings, dropin_name, connecting_user, guard}. Returns {settings, block,
    placement, refused}; ``refused`` non-empty means: write nothing, defer the control.
    """
    facts = facts if isinstance(facts, dict) else {}
    settings = validate_settings(wanted.get("settings"))
    place = placement(facts.get("config_text") or "", facts.get("include_dir_files") or [],
                      wanted.get("dropin_name"))
    refused = []
    if wanted.get("guard", True):
        refused = lockout_guard(settings, facts.get("effective"), wanted.get("connecting_user"),
                                facts.get("key_users"))
    return {"settings": settings, "block": render_block(settings), "placement": place, "refused": refused}
