# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Redaction of secret values in text that leaves the host (command lines, config).

The collectors already keep environment variables and labels as names only. Free text is harder:
a dockerd command line or daemon.json can carry ``--password=...``, ``DB_PASSWORD=...`` or
``https://user:pass@registry``. These helpers keep the structure (flag and variable names) and
replace every value that may be secret with ``<redacted>``. When in doubt a value is redacted: a
lost value costs a less precise evidence line, a kept one leaks into every report and CI artifact.

Image history is not redacted but summarised (gather/image_history.py): its lines are whatever a
Dockerfile author typed (``mysql -pS3cr3t``, bearer tokens, heredoc bodies), more than any
redaction of free text can be trusted with, so no raw history line leaves the host.

Policy (docs/faults.md "Secrets"):

- ``NAME=value`` where NAME looks like a secret (password, token, api key, ...): redacted.
- ``--flag=value`` / ``--flag value`` where the flag looks like a secret: redacted.
- ``scheme://user:password@host``: the password is redacted; ``https://token@host``: the token.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

REDACTED = "<redacted>"

# Names (of variables, flags, config keys) whose value may be a secret. Broader than the
# evaluators' SECRET_NAME_RE on purpose: over-redacting costs nothing here.
SECRET_WORD = (r"(?:passw(?:or)?d|passwd|pwd|passphrase|secret|token|credential|api[_-]?key|access[_-]?key"
               r"|private[_-]?key|auth[_-]?key|client[_-]?secret|dsn|conn(?:ection)?[_-]?string|cookie)")
SECRET_NAME_RE = re.compile(SECRET_WORD, re.IGNORECASE)

# A value: a double- or single-quoted string (escapes allowed), or a run of non-space characters.
_VALUE = r"(?:\"(?:[^\"\\]|\\.)*\"?|'[^']*'?|[^\s]+)"

_URL_CRED_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):([^@\s/]+)@")
# ``https://ghp_...@github.com``: a token in the place of the user name (no password after it).
_URL_TOKEN_USER_RE = re.compile(r"(\b(?:https?|git\+https?)://)([^/\s:@]{8,})@")
# ``--flag=value`` takes any value; ``--flag value`` only one that does not look like the next flag
# (a separate secret starting with ``-`` and a letter is kept: it cannot be told from a flag).
_FLAG_LIKE_RE = re.compile(r"^--?[A-Za-z]")
_SECRET_FLAG_RE = re.compile(r"(?<![\w-])(--?[A-Za-z0-9_.-]*%s[A-Za-z0-9_.-]*)(=|\s+(?!--?[A-Za-z]))(%s)" % (SECRET_WORD, _VALUE),
                             re.IGNORECASE)
_SECRET_ASSIGN_RE = re.compile(r"(?<![\w.-])((?:[A-Za-z_][A-Za-z0-9_.-]*)?%s[A-Za-z0-9_.-]*)=(%s)" % (SECRET_WORD, _VALUE),
                               re.IGNORECASE)


def is_secret_name(name):
    return bool(SECRET_NAME_RE.search(str(name)))


def redact_text(text):
    """Redact secret-looking values in one line of free text (a command line, a history entry)."""
    if text is None:
        return text
    out = str(text)
    out = _URL_CRED_RE.sub(lambda m: "%s:%s@" % (m.group(1), REDACTED), out)
    out = _URL_TOKEN_USER_RE.sub(lambda m: "%s%s@" % (m.group(1), REDACTED), out)
    out = _SECRET_FLAG_RE.sub(lambda m: "%s%s%s" % (m.group(1), m.group(2), REDACTED), out)
    out = _SECRET_ASSIGN_RE.sub(lambda m: "%s=%s" % (m.group(1), REDACTED), out)
    return out


def redact_argv(argv):
    """A command line as a list: ``--password x`` (two arguments) as well as everything redact_text does."""
    out = []
    redact_next = False
    for arg in argv or []:
        arg = str(arg)
        if redact_next and not _FLAG_LIKE_RE.match(arg):
            out.append(REDACTED)
            redact_next = False
            continue
        redact_next = False
        if arg.startswith("-") and "=" not in arg and is_secret_name(arg):
            redact_next = True
            out.append(arg)
            continue
        out.append(redact_text(arg))
    return out


def redact_config(value, key=""):
    """A parsed config (daemon.json): values under secret-like keys, and URL credentials anywhere."""
    if isinstance(value, dict):
        return dict((k, redact_config(v, k)) for k, v in value.items())
    if isinstance(value, list):
        return [redact_config(v, key) for v in value]
    if is_secret_name(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    return value
