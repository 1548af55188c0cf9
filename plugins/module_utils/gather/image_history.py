# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Image history (``GET /images/{id}/history``) summarised on the host: only names leave it.

A history entry's ``CreatedBy`` is the Dockerfile instruction, or the shell command a ``RUN`` or
``docker commit`` ran, verbatim: it holds whatever the author typed (``mysql -pS3cr3t``,
``curl -u admin:pass``, ``https://ghp_...@github.com``, heredoc bodies, build-arg values). No
redaction of free text can be trusted with that, so the raw line never leaves the host. Each
layer becomes a summary of what the evaluators read (items 15, 42 and X.3):

- ``instruction``: RUN, ENV, ARG, COPY, ADD, USER, LABEL, ENTRYPOINT, CMD, HEALTHCHECK, ... ;
  ``OTHER`` for a line that is no Dockerfile instruction (``docker commit`` records the
  container's command); ``""`` for an empty CreatedBy (``docker import``).
- ``names``: ENV/ARG variable names, LABEL keys, the build-arg names Docker records on RUN
  (``|2 A=.. B=..``); ``flags``: the instruction's flag names (``--chown``, ``--mount``).
- ``programs``: command names (RUN, OTHER: each simple command; ENTRYPOINT/CMD: the program as
  written, a name or a path).
- ``package_managers``, ``installed``, ``removed``, ``removes``, ``package_groups``: what the
  package managers were told (apk ``--virtual`` groups too), package names only.
- ``builds``: compiler runs (``go build``, ``cargo build``, ``javac``, ...).
- ``paths``: COPY/ADD sources and destination (local paths only); ``remote_source``: ADD of a URL.
- ``pipe_to_shell``: ``curl``/``wget`` piped into a shell.
- ``secret_kinds``: what kind of credential the line carries ("credentials in a URL",
  "mysql -p password", ...), never the value.
- ``created`` (epoch seconds) and ``size`` (bytes) as the engine reports them.

Every name that leaves is checked against a strict pattern (and dropped when it looks like a
random token), so a value cannot slip out in the place of a name.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

INSTRUCTIONS = ("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "HEALTHCHECK", "LABEL", "MAINTAINER",
                "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR")

MAX_ITEMS = 64

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_LABEL_KEY_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]{0,127}$")
_PROGRAM_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._+-]{0,63}$")
_EXEC_PROGRAM_RE = re.compile(r"^/?[A-Za-z0-9_][A-Za-z0-9._+-]{0,63}(?:/[A-Za-z0-9_][A-Za-z0-9._+-]{0,63}){0,8}$")
_PACKAGE_RE = re.compile(r"^\.?[a-z0-9][a-z0-9+._-]{0,63}$")
_PATH_RE = re.compile(r"^[A-Za-z0-9_./*?+,~-]{1,255}$")
_FLAG_RE = re.compile(r"^--?[A-Za-z][A-Za-z0-9-]{0,31}$")
_BUILD_NAME_RE = re.compile(r"^[a-z./ ]{1,32}$")

_NOP_RE = re.compile(r"^\s*(?:/bin/sh\s+-c\s+|cmd\s+/S\s+/C\s+)?#\(nop\)\s*(.*)$", re.DOTALL)
_BUILDKIT_SUFFIX_RE = re.compile(r"\s*#\s*buildkit\s*$")
_RUN_ARGS_RE = re.compile(r"^\|(\d+)\s+(.*)$", re.DOTALL)
# Where the command of a "|N A=.. B=.. cmd" RUN line starts: a shell prefix, or the exec form's "[".
_COMMAND_START_RE = re.compile(r"(?:^|\s)(?=(?:/bin/|/usr/bin/)?(?:ba|da|a|z|k)?sh\s+(?:-[A-Za-z]+\s+)*-c\s|"
                               r"(?:cmd\s+/S\s+/C|powershell(?:\.exe)?)\s|\[)", re.IGNORECASE)
_ARG_NAME_RE = re.compile(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=")
_SHELL_C_RE = re.compile(r"^(?:/bin/|/usr/bin/)?(?:ba|da|a|z|k)?sh\s+(?:-[A-Za-z]+\s+(?:[A-Za-z]+\s+)?)*?-c\s+(.*)$",
                         re.DOTALL)
_WIN_SHELL_RE = re.compile(r"^(?:cmd\s+/S\s+/C|powershell(?:\.exe)?\s+(?:-\S+\s+)*-Command)\s+(.*)$",
                           re.DOTALL | re.IGNORECASE)
# One assignment: NAME=value, the value quoted (escapes allowed) or a run of non-blanks.
_ASSIGN_RE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)=(\"(?:[^\"\\]|\\.)*\"?|'[^']*'?|\S*)", re.DOTALL)
_LABEL_PAIR_RE = re.compile(r"\s*(\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^\s=]+)=(\"(?:[^\"\\]|\\.)*\"?|'[^']*'?|\S*)",
                            re.DOTALL)
_HEREDOC_RE = re.compile(r"<<-?\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\1")
_SEPARATORS_RE = re.compile(r"&&|\|\||[;|&()\n`]|\$\(")
_WRAPPERS = ("sudo", "exec", "env", "nohup", "time", "command", "builtin", "xargs", "nice", "su-exec", "gosu")
_PKG_MANAGERS = r"apt-get|apt|apk|yum|dnf|microdnf|zypper|tdnf|pip|pip3|npm|gem|cargo|go"
_INSTALL_RE = re.compile(r"\b(apt-get|apt|apk|yum|dnf|microdnf|zypper|tdnf)\b\s+(?:-\S+\s+)*"
                         r"(install|add|in)\b([^;&|\n]*)", re.IGNORECASE)
_REMOVE_RE = re.compile(r"\b(apt-get|apt|apk|yum|dnf|microdnf|zypper|tdnf)\b\s+(?:-\S+\s+)*"
                        r"(purge|remove|autoremove|del|erase|rm)\b([^;&|\n]*)", re.IGNORECASE)
_MANAGER_RE = re.compile(r"(?:^|[\s;&|(])(%s)(?=\s)" % _PKG_MANAGERS)
_BUILD_RE = re.compile(r"(?:^|[\s;&|(])(go\s+(?:build|install)|cargo\s+(?:build|install)|rustc|javac|mvn|"
                       r"gradle|\./gradlew)(?=\s|$|;)", re.IGNORECASE)
_PIPE_TO_SHELL_RE = re.compile(r"\b(?:curl|wget|fetch)\b[^;&\n|]{0,1024}\|\s{0,8}(?:sudo\s+(?:-\S+\s+){0,4})?"
                               r"(?:/usr)?(?:/bin/)?(?:ba|da|a|z|k)?sh\b")

# Kinds of credential a line can carry anywhere in it. Each is (description, pattern); a match counts
# unless its value is a variable reference ($VAR, ${VAR}: the value is not in the line). Every
# quantifier is bounded: a hostile line must not make the gather quadratic.
_VALUE = r"(\"(?:[^\"\\]|\\.){0,4096}\"?|'[^']{0,4096}'?|[^\s;&|]{1,4096})"
_SECRET_PATTERNS = (
    ("credentials in a URL", re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{0,31}://([^/\s:@]{0,256}:[^@\s/]{1,256})@")),
    ("a token as the user of an http(s) URL", re.compile(r"\b(?:https?|git\+https?)://([^/\s:@]{8,256})@")),
    ("an Authorization header", re.compile(r"(?i)\b(?:authorization|proxy-authorization|private-token|x-api-key|"
                                           r"x-auth-token)\s{0,8}:\s{0,8}([^\s\"']{1,4096}(?:\s+[^\s\"']{1,4096})?)")),
    ("a bearer token", re.compile(r"(?i)\bbearer\s{1,8}([A-Za-z0-9._~+/=-]{8,4096})")),
    ("a PEM block", re.compile(r"-----BEGIN [A-Z0-9 ]{0,64}(PRIVATE KEY|CERTIFICATE|PGP [A-Z ]{1,32})-----")),
    ("a password option", re.compile(r"(?i)(?<![\w-])--?(?:[a-z0-9]{1,32}[-_]){0,8}(?:password|passwd|passphrase|"
                                     r"secret|token|api[-_]?key|access[-_]?key)(?![-_](?:file|path|stdin|env|command|"
                                     r"cmd|fd|from|id|name))(?:=|\s+(?!-))" + _VALUE)),
    ("an npm auth token", re.compile(r"(?i)[:\s]_auth(?:Token)?\s{0,8}=\s{0,8}" + _VALUE)),
    ("a GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{20,255})")),
    ("a GitLab token", re.compile(r"\b(glpat-[A-Za-z0-9_-]{16,255})")),
    ("an AWS access key", re.compile(r"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b")),
    ("a Slack token", re.compile(r"\b(xox[abposr]-[A-Za-z0-9-]{10,255})")),
    ("a Stripe key", re.compile(r"\b((?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,255})")),
    ("an npm token", re.compile(r"\b(npm_[A-Za-z0-9]{30,255})")),
    ("a Google API key", re.compile(r"\b(AIza[0-9A-Za-z_-]{30,255})")),
    ("a JSON web token", re.compile(r"\b(eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{0,4096})")),
)
# NAME=value: the name is read whole (bounded), then judged by its underscore-separated words.
_ASSIGNMENT_RE = re.compile(r"(?<![\w.-])([A-Za-z_][A-Za-z0-9_]{0,127})=" + _VALUE)
_SECRET_VAR_RE = re.compile(r"(?i)(?:^|_)(?:PASSWORD|PASSWD|PASS|PWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|"
                            r"PRIVATE_?KEY|CREDENTIALS?|DSN|PAT)(?:_|$)")
# .netrc (netrc(5)): machine NAME [login NAME] [account NAME] password VALUE, on one line or several.
_NETRC_RE = re.compile(r"\bmachine\s{1,16}\S{1,256}(?:\s{1,16}(?:login|account)\s{1,16}\S{1,256}){0,2}"
                       r"\s{1,16}password\s{1,16}(\S{1,4096})")
# Commands whose own options take a password: the command (its basename) -> how it takes it.
_PASSWORD_COMMANDS = {
    "mysql": "attached-p", "mariadb": "attached-p", "mysqladmin": "attached-p", "mysqldump": "attached-p",
    "mariadb-dump": "attached-p", "mysqlimport": "attached-p",
    "docker": "login-p", "podman": "login-p", "buildah": "login-p", "skopeo": "login-p", "helm": "login-p",
    "oras": "login-p", "crane": "login-p",
    "curl": "user", "wget": "user", "git": "user", "svn": "user", "lftp": "user", "ftp": "user",
    "sshpass": "p",
}
_COMMAND_KINDS = {"attached-p": "a mysql/mariadb -p password", "login-p": "a docker/podman login password",
                  "user": "a user:password argument", "p": "an sshpass password"}


def _is_value(token):
    token = token.strip("\"'")
    return bool(token) and not token.startswith("$") and token not in ("-", "<redacted>")


def _command_secret(tokens):
    """The kind of credential one simple command's own options carry, or None."""
    while tokens:
        if tokens[0] in _WRAPPERS or tokens[0] in ("RUN", "#(nop)") or re.match(
                r"^[A-Za-z_][A-Za-z0-9_]*=|^\|\d+$", tokens[0]):
            tokens = tokens[1:]
        elif len(tokens) > 1 and tokens[1] == "-c" and re.match(r"^(?:/usr)?(?:/bin/)?(?:ba|da|a|z|k)?sh$", tokens[0]):
            tokens = tokens[2:]
        else:
            break
    if not tokens:
        return None
    how = _PASSWORD_COMMANDS.get(tokens[0].strip("\"'").rsplit("/", 1)[-1])
    if how is None:
        return None
    args = tokens[1:]
    login_at = args.index("login") if "login" in args else len(args)
    for i, tok in enumerate(args):
        following = args[i + 1] if i + 1 < len(args) else ""
        if how == "attached-p" and tok.startswith("-p") and len(tok) > 2 and _is_value(tok[2:]):
            return _COMMAND_KINDS[how]
        if how == "login-p" and login_at < i and tok == "-p" and _is_value(following) \
                and not following.startswith("-"):
            return _COMMAND_KINDS[how]
        if how == "user":
            value = following if tok in ("-u", "--user", "--proxy-user") else (
                tok.split("=", 1)[1] if tok.startswith(("--user=", "--proxy-user=")) else (
                    tok[2:] if tok.startswith("-u") and len(tok) > 2 else None))
            if value is not None and ":" in value and _is_value(value.split(":", 1)[1]):
                return _COMMAND_KINDS[how]
        if how == "p" and (tok == "-p" and _is_value(following) or (tok.startswith("-p") and len(tok) > 2)):
            return _COMMAND_KINDS[how]
    return None


def _looks_random(token):
    """A token that reads like a key or password rather than a name: long, mixed case and digits."""
    t = re.sub(r"[^A-Za-z0-9]", "", token)
    return len(t) >= 16 and bool(re.search(r"\d", t)) and bool(re.search(r"[a-z]", t)) and \
        bool(re.search(r"[A-Z]", t))


def _keep(values, pattern, limit=MAX_ITEMS):
    """The values that match ``pattern`` and do not look random, deduplicated in order, at most ``limit``."""
    out = []
    for v in values:
        if v and pattern.match(v) and not _looks_random(v) and v not in out:
            out.append(v)
    return out[:limit]


def _unquote(token):
    return token.strip().strip("\"'")


# A variable whose name ends like this points at a secret (a file, a path) or describes it.
_POINTER_NAME_RE = re.compile(r"_(FILE|PATH|DIR|FD|NAME|ID|TYPE|LENGTH|SIZE|MIN_DAYS|MAX_DAYS)$", re.IGNORECASE)


def secret_kinds(line):
    """The kinds of credential ``line`` carries ("a mysql/mariadb -p password", ...), values never."""
    found = []

    def add(kind):
        if kind not in found:
            found.append(kind)
    for kind, pattern in _SECRET_PATTERNS:
        for m in pattern.finditer(line):
            value = m.group(m.lastindex) if m.lastindex else m.group(0)
            # "bearer authentication" is prose; a bearer token has digits
            if _is_value(value) and (kind != "a bearer token" or re.search(r"\d", value)):
                add(kind)
                break
    for m in _ASSIGNMENT_RE.finditer(line):
        if _SECRET_VAR_RE.search(m.group(1)) and not _POINTER_NAME_RE.search(m.group(1)) and _is_value(m.group(2)):
            add("a secret-like variable assigned")
            break
    if any(_is_value(m.group(1)) for m in _NETRC_RE.finditer(line)):
        add("a .netrc password")
    for segment in re.split(r"[;&|\n()`]", line):
        kind = _command_secret(segment.split())
        if kind:
            add(kind)
    return [k for _kind, k in sorted((_ORDER.get(k, 99), k) for k in found)]


_ORDER = dict((kind, i) for i, kind in enumerate(
    ["credentials in a URL", "a token as the user of an http(s) URL", "an Authorization header", "a bearer token",
     "a PEM block", "a .netrc password", "a mysql/mariadb -p password", "a docker/podman login password",
     "a user:password argument", "an sshpass password", "a password option", "an npm auth token",
     "a secret-like variable assigned"] + [k for k, _p in _SECRET_PATTERNS]))


def _split_instruction(text):
    """(instruction, body) of one CreatedBy line; instruction "" for an empty line, OTHER for a command."""
    text = _BUILDKIT_SUFFIX_RE.sub("", text or "")
    if not text.strip():
        return "", ""
    m = _NOP_RE.match(text)
    if m:
        text = m.group(1)
        word = text.split(None, 1)
        if word and word[0].upper() in INSTRUCTIONS:
            return word[0].upper(), (word[1] if len(word) > 1 else "")
        return "OTHER", text
    stripped = text.lstrip()
    word = stripped.split(None, 1)
    if word and word[0] in INSTRUCTIONS:
        return word[0], (word[1] if len(word) > 1 else "")
    if _RUN_ARGS_RE.match(stripped) or _SHELL_C_RE.match(stripped) or _WIN_SHELL_RE.match(stripped):
        return "RUN", stripped   # the classic builder records RUN without the keyword
    return "OTHER", stripped


def _assignments(body, pattern=_ASSIGN_RE):
    """Names of NAME=value pairs read in sequence (quoted values kept whole), and where they end."""
    names, pos = [], 0
    while True:
        m = pattern.match(body, pos)
        if not m or m.end() == pos:
            break
        names.append(m.group(1))
        pos = m.end()
    return names, pos


def _env_names(body):
    """ENV/ARG: ``A=1 B="x y"``, ``A`` (ARG without default) or the old ``ENV A value`` form."""
    first = body.split(None, 1)[0] if body.split() else ""
    if "=" in first:
        # BuildKit dispatchArg/dispatchEnv commit "Key=Value" pairs joined unquoted: a value with a blank
        # ("My App") would end a left-to-right read early and hide the names after it
        return _ARG_NAME_RE.findall(body)
    return [first] if first else []


def _label_names(body):
    return [_unquote(k) for k in _assignments(body, _LABEL_PAIR_RE)[0]]


def _leading_flags(body):
    """``--chown=a:b --from=build src dst`` -> (["--chown", "--from"], "src dst")."""
    flags = []
    rest = body.lstrip()
    while rest.startswith("--"):
        parts = rest.split(None, 1)
        flags.append(parts[0].split("=", 1)[0])
        rest = parts[1] if len(parts) > 1 else ""
    return flags, rest


def _strip_heredoc_data(script):
    """Drop the bodies of heredocs fed to commands (``cat > f <<EOF ... EOF``): they are data."""
    out, lines, i = [], script.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        m = _HEREDOC_RE.search(line)
        i += 1
        if m:
            end = m.group(2)
            while i < len(lines) and lines[i].strip() != end:
                i += 1
            i += 1
    return "\n".join(out)


def _programs(script):
    """The command name of each simple command in a shell script (assignments and wrappers skipped)."""
    found = []
    for segment in _SEPARATORS_RE.split(script):
        tokens = segment.split()
        while tokens and (re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", tokens[0]) or tokens[0] in _WRAPPERS
                          or (found and tokens[0].startswith("-"))):
            tokens = tokens[1:]
        if tokens:
            name = _unquote(tokens[0]).rsplit("/", 1)[-1]
            if name in ("if", "then", "else", "fi", "do", "done", "for", "while", "{", "}", "!", "[", "[["):
                continue
            found.append(name)
    return found


def _packages(args):
    """(package names, apk --virtual group) from a package manager's arguments."""
    out, group = [], None
    tokens = args.split()
    for i, tok in enumerate(tokens):
        if tok in ("--virtual", "-t") and i + 1 < len(tokens):
            group = tokens[i + 1].lower()
            continue
        if tok.startswith("-") or tok.startswith("$") or (i > 0 and tokens[i - 1] in ("--virtual", "-t")):
            continue
        name = re.split(r"[=<>~]", tok, maxsplit=1)[0].strip("'\"\\").lower()
        if name:
            out.append(name)
    return out, group


def _run_summary(body, layer):
    """RUN (and OTHER) lines: build-arg names, flags, programs, packages, builds."""
    text = body.strip()
    m = _RUN_ARGS_RE.match(text)
    if m:
        # Docker joins the build args unquoted (BuildKit dockerfile2llb/convert.go runCommandString, the
        # classic builder's "|N" prefix alike): a value may hold blanks, so the args end where the
        # command starts (the shell prefix, or "[" of the exec form), never at the first blank.
        start = _COMMAND_START_RE.search(m.group(2))
        if not start:
            # no command start: values cannot be told from names or programs, so none of them leaves
            layer["unparsed"] = True
            return
        args = m.group(2)[:start.start()]
        layer["names"] = _keep(_ARG_NAME_RE.findall(args)[:int(m.group(1))], _NAME_RE)
        text = m.group(2)[start.start():].strip()
    flags, text = _leading_flags(text)
    layer["flags"] = _keep(flags, _FLAG_RE)
    shell = _SHELL_C_RE.match(text) or _WIN_SHELL_RE.match(text)
    if shell:
        text = shell.group(1)
    elif text.startswith("["):
        text = " ".join(_unquote(t) for t in re.split(r"[\s,]+", text.strip("[] ")) if t)
    script = _strip_heredoc_data(text)
    # Quoted strings are arguments (echo '...', sh -c "..."): no command name is read from them.
    unquoted = re.sub(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'", " \"\" ", script)
    layer["programs"] = _keep(_programs(unquoted), _PROGRAM_RE)
    layer["package_managers"] = _keep(_MANAGER_RE.findall(script), _PROGRAM_RE)
    installed, removed, groups = [], [], {}
    for im in _INSTALL_RE.finditer(script):
        pkgs, group = _packages(im.group(3))
        pkgs = _keep(pkgs, _PACKAGE_RE)
        installed.extend(p for p in pkgs if p not in installed)
        if group and _PACKAGE_RE.match(group) and not _looks_random(group):
            groups.setdefault(group, [])
            groups[group].extend(p for p in pkgs if p not in groups[group])
    for rm in _REMOVE_RE.finditer(script):
        removed.extend(p for p in _keep(_packages(rm.group(3))[0], _PACKAGE_RE) if p not in removed)
    layer["installed"] = installed[:MAX_ITEMS]
    layer["removed"] = removed[:MAX_ITEMS]
    layer["removes"] = bool(_REMOVE_RE.search(script))
    layer["package_groups"] = groups
    layer["builds"] = _keep([" ".join(b.split()).lower() for b in _BUILD_RE.findall(script)], _BUILD_NAME_RE)
    layer["pipe_to_shell"] = bool(_PIPE_TO_SHELL_RE.search(script))


def _copy_summary(body, layer):
    """COPY/ADD: flags, local paths (sources and destination), whether a source is a URL."""
    first_line = body.split("\n", 1)[0]
    flags, rest = _leading_flags(first_line)
    layer["flags"] = _keep(flags, _FLAG_RE)
    if rest.lstrip().startswith("["):
        tokens = [_unquote(t) for t in re.split(r"\"\s*,?\s*\"", rest.strip().strip("[]")) if t.strip()]
    else:
        tokens = rest.split()
    paths, remote = [], False
    for tok in tokens:
        tok = _unquote(tok)
        if tok == "in" or tok.startswith("<<") or re.match(r"^(file|dir|multi):[0-9a-f]+$", tok):
            continue
        if "://" in tok or tok.startswith("git@"):
            remote = True
            continue
        paths.append(tok)
    layer["paths"] = [p for p in _keep(paths, _PATH_RE)
                      if not any(_looks_random(part) for part in p.split("/"))]
    layer["remote_source"] = remote


def _exec_program(body):
    """ENTRYPOINT/CMD: the program it starts (exec form ``["/sbin/tini", "--", ...]`` or shell form)."""
    text = body.strip()
    if text.startswith("["):
        tokens = [_unquote(t) for t in re.split(r"[\s,]+", text.strip("[] ")) if _unquote(t)]
    else:
        shell = _SHELL_C_RE.match(text)
        tokens = (shell.group(1) if shell else text).split()
    if tokens and re.match(r"^(?:/bin/|/usr/bin/)?(?:ba|da|a)?sh$", tokens[0]) and "-c" in tokens[1:3]:
        rest = tokens[tokens.index("-c") + 1:]
        tokens = [_unquote(t) for t in " ".join(rest).split()]
        if tokens and tokens[0] == "exec":
            tokens = tokens[1:]
    return [_unquote(tokens[0])] if tokens else []


def summarize_layer(entry):
    """One history entry (``{"CreatedBy", "Created", "Size", ...}``) as its summary (module docstring)."""
    entry = entry if isinstance(entry, dict) else {}
    raw = entry.get("CreatedBy")
    raw = raw if isinstance(raw, str) else ""
    instruction, body = _split_instruction(raw)
    layer = {"instruction": instruction, "names": [], "flags": [], "programs": [],
             "secret_kinds": secret_kinds(raw),
             "created": entry.get("Created") if isinstance(entry.get("Created"), int) else None,
             "size": entry.get("Size") if isinstance(entry.get("Size"), int) else None}
    if instruction in ("RUN", "OTHER"):
        _run_summary(body, layer)
    elif instruction in ("ENV", "ARG"):
        layer["names"] = _keep(_env_names(body), _NAME_RE)
    elif instruction == "LABEL":
        layer["names"] = _keep(_label_names(body), _LABEL_KEY_RE)
    elif instruction in ("COPY", "ADD"):
        _copy_summary(body, layer)
    elif instruction in ("ENTRYPOINT", "CMD"):
        # the program as written (/sbin/tini, tini): X.3 tells /init from /sbin/init
        layer["programs"] = _keep(_exec_program(body), _EXEC_PROGRAM_RE)
    return layer


def summarize_history(history):
    """The summaries of an image's history entries, in the engine's order (newest first)."""
    return [summarize_layer(h) for h in history or [] if isinstance(h, dict)]
