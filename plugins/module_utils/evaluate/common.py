# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!
"""Helpers shared by the pure evaluators (one file per checklist section in this package).

An evaluator is ``check(facts, opts) -> (status, evidence)`` where ``facts`` is
``ansible_facts['dockersec']`` (docs/facts.md), ``opts`` the merged options dict, ``status``
one of pass / fail / not_applicable / manual / error and ``evidence`` a list of short strings a
person can act on. Evaluators never raise on odd input: the engine turns an exception into
``error``, but a well-behaved evaluator says what it could not read.

Ids, titles, modes, required collectors and option specs live in the catalog only. The engine adds private keys
to ``opts``: ``_today`` (a date), ``_history`` (earlier audits of this host: ``{"host",
"generated_at", "score", "collection_version"}``) and the controller-side extras (``_scan_results``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

from ansible_collections.dockersec.hardening.plugins.module_utils import catalog, dockerd_cli

PASS = "pass"
FAIL = "fail"
NA = "not_applicable"
MANUAL = "manual"
ERROR = "error"

# Names that suggest a secret value; matched against env var / label / secret names only (any case;
# is_secret_name reads "-", "." and blanks as "_"). Whole-word parts, where a substring would catch
# ordinary names: PASS (DB_PASS, MYSQL_PASS, not PASSENGER_*, BYPASS, COMPASS), PAT (GITHUB_PAT, not
# PATH), AUTH (BASIC_AUTH, not OAUTH_*), a final KEY (STRIPE_KEY, JWT_SIGNING_KEY) except the public
# kinds official images set (GPG_KEY is a fingerprint; PUBLIC/PUB/CACHE/PRIMARY/SORT/... keys are no
# secrets), TOKEN but not TOKENIZER(S)_*. A *_URL/*_URI only for database and broker URLs
# (DATABASE_URL, REDIS_URL, AMQP_URL, MONGODB_URI: by convention scheme://user:password@host); other
# URLs (APP_URL, API_URL) carry no credentials by convention, and only the name is seen.
SECRET_NAME_RE = re.compile(
    r"(PASSW(OR)?D|PASSWD|PASSPHRASE|PWD$|SECRET|TOKEN(?!IZER)|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|"
    r"AUTH_?KEY|CLIENT_?SECRET|DSN$|CONN(ECTION)?_?STRING|(^|_)PASS(_|$)|(^|_)PAT$|(^|_)AUTH$|"
    # LDAP_ADMIN_PW, DB_CREDS, DOCKER_AUTH_CONFIG (registry credentials, the GitLab runner's name),
    # SLACK_WEBHOOK_URL (the URL is the credential), KAFKA_SASL_JAAS_CONFIG (holds password="...")
    r"(^|_)PW$|(^|_)CREDS?$|AUTH_CONFIG$|WEBHOOK(_URL)?$|JAAS_CONFIG$|"
    r"(^|_)(?!(GPG|PGP|PUBLIC|PUB|CACHE|PRIMARY|SORT|PARTITION|ROUTING|FOREIGN|HOST|SSH_HOST|LOOKUP|KEY)_KEY$)"
    r"[A-Z0-9]+_KEY$|"
    r"(^|_)(DATABASE|DB|REDIS|MONGO|MONGODB|POSTGRES|POSTGRESQL|PG|MYSQL|MARIADB|MSSQL|AMQP|RABBITMQ|BROKER|"
    r"CELERY_BROKER|MEMCACHED?|NATS|KAFKA_SASL)_(URL|URI)$)",
    re.IGNORECASE,
)

# Names that match the pattern above but only point at a file holding the secret (the good pattern).
SECRET_FILE_SUFFIX_RE = re.compile(r"_(FILE|PATH)$", re.IGNORECASE)

DEFAULT_REGISTRY = "docker.io"

# Offenders named in one verdict's evidence; the rest are counted ("... and N more").
EVIDENCE_LIMIT = 20


# --- Reading values from facts and options --------------------------------------------------------

def result(status, evidence):
    if isinstance(evidence, (list, tuple)):
        return status, [str(e) for e in evidence]
    return status, [str(evidence)]


def as_list(value):
    """A list from a value that should be one; ``None`` and scalars are tolerated."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def as_dict(value):
    return value if isinstance(value, dict) else {}


def names(values):
    return [str(v) for v in as_list(values) if v is not None and not isinstance(v, (dict, list))]


def text(value, limit=80):
    """A printable, bounded rendering of a name from the facts."""
    s = str(value)
    return s if len(s) <= limit else s[:limit - 3] + "..."


def limited(evidence, limit=EVIDENCE_LIMIT):
    if len(evidence) > limit:
        return evidence[:limit] + ["... and %d more" % (len(evidence) - limit)]
    return evidence


def truthy(value):
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def falsy(value):
    if isinstance(value, bool):
        return not value
    return str(value).strip().lower() in ("0", "false", "no", "off")


def opt(opts, name):
    """The option ``name`` from ``opts``, coerced to its spec in the catalog's OPTIONS; the
    default when unusable."""
    spec = catalog.OPTIONS[name]
    default = spec["default"]
    value = as_dict(opts).get(name)
    if value is None:
        return list(default) if isinstance(default, list) else default
    kind = spec["type"]
    if kind == "int":
        if isinstance(value, bool):
            return default
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            return default
        return value if value >= 0 else default
    if kind == "bool":
        if truthy(value):
            return True
        if falsy(value):
            return False
        return default
    if kind == "list":
        return [str(v) for v in as_list(value) if v is not None and str(v).strip()]
    if kind == "dict":
        return value if isinstance(value, dict) else default
    return value if isinstance(value, str) else str(value)


def docker(facts):
    return as_dict(as_dict(facts).get("docker"))


# --- The daemons of a host: one view of the facts per dockerd -------------------------------------

# The facts sections (and their collectors) that belong to one daemon; every other section is the
# host's and is the same in every daemon's view. A control whose catalog ``requires`` names one of
# these is judged per daemon.
DAEMON_SECTIONS = ("docker", "daemon_config", "dockerd_process")
# What a view's ``daemon`` says about the daemon it shows (docs/facts.md, ``daemons``).
DAEMON_META = ("name", "primary", "endpoint", "rootless", "user", "uid", "pid", "data_root")
# dockerd lists it in SecurityOptions when it runs in rootlesskit's user namespace
# (moby daemon/info.go: ``if Rootless(cfg) { securityOptions = append(securityOptions, "name=rootless") }``).
ROOTLESS_SECURITY_OPTION = "name=rootless"


def _reports_rootless(facts):
    return ROOTLESS_SECURITY_OPTION in security_options(facts)


def _default_daemon(facts):
    """The one daemon of facts gathered without ``daemons`` (or with none found): the endpoint audited."""
    endpoint = as_dict(as_dict(facts).get("dockerd_process")).get("endpoint")
    endpoint = endpoint if isinstance(endpoint, str) and endpoint else None
    meta = dict((key, None) for key in DAEMON_META)
    meta.update(name=endpoint or "default", primary=True, endpoint=endpoint, rootless=_reports_rootless(facts))
    return meta


def daemon_views(facts):
    """``[(meta, view)]``: one per dockerd of the host, in facts order (BRIEF interface B).

    ``view`` is a shallow copy of ``facts`` whose ``docker``, ``daemon_config``, ``dockerd_process``
    and their ``collectors`` entries are that daemon's (the primary's are the top-level ones), plus
    ``view["daemon"] = meta``; nothing of the facts is copied deeply, so a one-daemon host costs
    what it did. A record's section that is absent is absent from its view, and its collector
    entry too: its controls are ``error`` ("did not run"), never judged from another daemon's
    facts. Without ``daemons`` (facts from before it, or no dockerd found) the facts are the one
    view (so are a ``daemons`` that is no list, and its entries that are no records). No record
    marked primary: the first is (the gather's rule when no daemon serves the default socket).
    """
    facts = as_dict(facts)
    daemons = facts.get("daemons")
    records = [r for r in daemons if isinstance(r, dict)] if isinstance(daemons, list) else []
    if not records:
        meta = _default_daemon(facts)
        view = dict(facts)
        view["daemon"] = meta
        return [(meta, view)]
    flagged = [n for n, r in enumerate(records) if r.get("primary") is True]
    primary = flagged[0] if flagged else 0
    views = []
    for n, record in enumerate(records):
        meta = dict((key, record.get(key)) for key in DAEMON_META)
        meta["primary"] = n == primary
        meta["rootless"] = record.get("rootless") is True
        if not isinstance(meta["name"], str) or not meta["name"]:
            meta["name"] = str(meta["endpoint"] or "daemon %d" % (n + 1))
        view = dict(facts)
        if not meta["primary"]:
            collectors = dict(as_dict(facts.get("collectors")))
            own = as_dict(record.get("collectors"))
            for section in DAEMON_SECTIONS:
                view[section] = record.get(section)
                collectors.pop(section, None)
                if section in own:
                    collectors[section] = own[section]
            view["collectors"] = collectors
        view["daemon"] = meta
        views.append((meta, view))
    return views


def daemon_meta(facts):
    """The judged daemon's record (``facts["daemon"]``, the per-daemon view's meta); {} when absent."""
    return as_dict(as_dict(facts).get("daemon"))


def security_options(facts):
    """docker info SecurityOptions as dockerd reports them (daemon/info.go fillSecurityOptions), each
    cut to its ``name=...`` part: ``name=seccomp,profile=default`` is ``name=seccomp``."""
    return [str(o).split(",", 1)[0] for o in as_list(as_dict(docker(facts).get("info")).get("SecurityOptions"))]


def is_rootless(facts):
    """Whether the judged dockerd is rootless: its record says so (it runs under rootlesskit in a user
    namespace), or dockerd itself reports ``name=rootless`` in docker info SecurityOptions (moby
    daemon/info.go fillSecurityOptions, set from its --rootless config)."""
    return daemon_meta(facts).get("rootless") is True or _reports_rootless(facts)


def rootless_text(facts):
    """``rootless dockerd of svc (uid 1000)``: the judged daemon, named for evidence."""
    meta = daemon_meta(facts)
    user, uid = meta.get("user"), meta.get("uid")
    who = " of %s" % text(user, 32) if user not in (None, "") else ""
    if isinstance(uid, int) and not isinstance(uid, bool):
        who += " (uid %d)" % uid
    return "rootless dockerd%s" % who


# --- Containers in scope and per-container verdicts -----------------------------------------------

def is_swarm_task(container):
    """True when the engine says the container is a swarm task, False when it says not, None unknown.

    The label com.docker.swarm.service.name can be set on any container (``docker run --label``);
    the engine's own answer is ``swarm_task`` (the is-task filter, moby daemon/list.go: set only
    for containers the swarm executor creates). Facts without it: unknown where a label claims a
    service, else not a task.
    """
    c = as_dict(container)
    task = c.get("swarm_task")
    if isinstance(task, bool):
        return task
    return None if c.get("swarm_service") else False


# Running states: moby daemon/container/state.go State() reports paused and restarting containers
# (State.Running true) apart; they keep their namespaces, mounts, ports and privileges.
LIVE_STATES = ("running", "paused", "restarting")


def _never_started(value):
    ts = parse_timestamp(value)
    return value in (None, "") or (ts is not None and ts.year <= 1)


def comes_back(facts, container):
    """Why dockerd starts this stopped container again at its next start, else None.

    moby daemon/daemon.go ``restore``: ``cfg.AutoRestart && c.ShouldRestart() &&
    c.HasBeenStartedBefore``; daemon/internal/restartmanager ``ShouldRestart``: ``always`` restarts
    whatever stopped it, ``unless-stopped`` not after a manual stop (with dockerd running, an
    exited unless-stopped container was stopped by hand: an exit of its own is restarted at once),
    ``on-failure`` on a non-zero exit code while retries are left (0 = no limit). dockerd
    ``--restart=false`` (deprecated) turns AutoRestart off.
    """
    c = as_dict(container)
    if c.get("state") != "exited" or _never_started(c.get("started_at")):
        return None
    auto = as_list(daemon_flags(facts).get("--restart")) + as_list(daemon_flags(facts).get("-r"))
    if auto and falsy(auto[-1]):
        return None
    policy = as_dict(c.get("restart_policy"))
    name = policy.get("name")
    if name == "always":
        return "exited; restart policy always starts it again with dockerd"
    if name == "on-failure":
        code, count, limit = c.get("exit_code"), c.get("restart_count"), policy.get("max_retry")
        if isinstance(code, int) and not isinstance(code, bool) and code == 0:
            return None
        if isinstance(limit, int) and limit > 0 and isinstance(count, int) and count >= limit:
            return None
        return "exited (code %s); restart policy on-failure starts it again with dockerd" % (
            code if isinstance(code, int) else "unknown")
    return None


def state_note(facts, container):
    """How the container is in effect when it is not simply running: "paused", "restarting", ..."""
    c = as_dict(container)
    state = c.get("state")
    if state in ("paused", "restarting"):
        return str(state)
    if state != "running":
        return comes_back(facts, c)
    return None


def container_label(container, facts=None):
    """``name (compose shop/web)`` so a person can find the container to change; with ``facts``,
    its state when it is not simply running (``paused``)."""
    c = as_dict(container)
    name = c.get("name") or str(c.get("id", "?"))[:12]
    extra = []
    if c.get("compose_project"):
        extra.append("compose %s/%s" % (c.get("compose_project"), c.get("compose_service") or "?"))
    if c.get("swarm_service") and is_swarm_task(c) is not False and (
            facts is None or swarm_state(facts)[0]):
        extra.append("service %s" % c.get("swarm_service"))
    elif c.get("swarm_service"):
        # A label any container can carry: say so rather than call it a service.
        extra.append("label claims swarm service %s" % c.get("swarm_service"))
    note = state_note(facts, c) if facts is not None else (
        c.get("state") if c.get("state") in ("paused", "restarting") else None)
    if note:
        extra.append(note)
    return "%s (%s)" % (name, ", ".join(extra)) if extra else str(name)


def scoped_containers(facts, opts, running_only=True):
    """The containers every per-container control judges, minus those excluded by name
    (``exclude_containers``) or label name (``exclude_container_labels``).

    With ``running_only`` (the default): the containers in effect, i.e. running, paused or
    restarting (LIVE_STATES), and stopped ones dockerd starts again at its next start
    (comes_back). Without it: every container. Odd facts (non-dict entries, lists where names
    belong) are skipped.
    """
    excl_names = set(names(opt(opts, "exclude_containers")))
    excl_labels = set(names(opt(opts, "exclude_container_labels")))
    out = []
    for c in as_list(docker(facts).get("containers")):
        if not isinstance(c, dict):
            continue
        if running_only and c.get("state") not in LIVE_STATES and not comes_back(facts, c):
            continue
        if c.get("name") is not None and str(c.get("name")) in excl_names:
            continue
        if excl_labels.intersection(names(c.get("label_names"))):
            continue
        out.append(c)
    return out


def no_containers_reason(facts):
    """Why there is nothing to check per container: the engine was not reached, or nothing runs.

    Per-container controls report this as ``not_applicable`` (never ``pass``).
    """
    d = docker(facts)
    if d.get("reachable") is False:
        return "Docker engine not reachable (docker.reachable is false): no containers could be listed"
    return ("no running containers in scope (none paused or restarting, none stopped that a restart policy "
            "starts again with dockerd)")


def checked_text(facts, containers):
    """``3 containers checked`` plus how many of them are paused, restarting or stopped-but-returning."""
    notes = {}
    for c in containers:
        state = as_dict(c).get("state")
        if state != "running":
            key = state if state in ("paused", "restarting") else "stopped that dockerd starts again"
            notes[key] = notes.get(key, 0) + 1
    extra = ", ".join("%d %s" % (n, k) for k, n in sorted(notes.items()))
    return "%d containers checked%s" % (len(containers), (": " + extra) if extra else "")


def per_container(facts, opts, offends, ok_text, fail_text, limit=EVIDENCE_LIMIT):
    """Evaluate a per-container rule: pass only when every in-scope container passes.

    ``offends(container)`` returns None when the container passes, else a short reason.
    """
    containers = scoped_containers(facts, opts)
    if not containers:
        return result(NA, no_containers_reason(facts))
    bad = []
    for c in containers:
        why = offends(c)
        if why:
            bad.append("%s: %s" % (container_label(c, facts), why))
    if not bad:
        return result(PASS, "%s (%s)" % (ok_text, checked_text(facts, containers)))
    return result(FAIL, ["%s: %d of %d containers" % (fail_text, len(bad), len(containers))] + limited(bad, limit))


def per_container_tri(facts, opts, check, ok_text, fail_text, containers=None, none_text=None):
    """Per-container rule with an honest "unknown": ``check(c)`` returns None (ok), a reason
    string (offends) or ``("unknown", reason)``.

    fail when any container offends; manual when none offends but some could not be checked;
    pass only when every in-scope container was checked and passed.
    """
    if containers is None:
        containers = scoped_containers(facts, opts)
    if not containers:
        return result(NA, none_text or no_containers_reason(facts))
    bad, unknown = [], []
    for c in containers:
        why = check(c)
        if isinstance(why, tuple):
            unknown.append("%s: %s" % (text(container_label(c, facts), 160), why[1]))
        elif why:
            bad.append("%s: %s" % (text(container_label(c, facts), 160), why))
    if bad:
        evidence = ["%s: %d of %d containers" % (fail_text, len(bad), len(containers))] + limited(bad)
        if unknown:
            evidence.append("%d more could not be checked" % len(unknown))
        return result(FAIL, evidence)
    if unknown:
        return result(MANUAL, ["%d of %d containers could not be checked" % (len(unknown), len(containers))]
                      + limited(unknown))
    return result(PASS, "%s (%s)" % (ok_text, checked_text(facts, containers)))


def image_of(facts, container):
    """The image facts for a container (``docker.images[image_id]``), {} when unknown."""
    images = as_dict(docker(facts).get("images"))
    key = container.get("image_id")
    if isinstance(key, (list, dict)) or key is None:
        return {}
    return as_dict(images.get(str(key)))


def history_layers(img):
    """(layer summaries, None) of an image's history (docs/facts.md ``images.*.history``), else (None, why).

    The gather ships one summary dict per layer, never the raw CreatedBy line; entries of another
    shape (the raw lines of an older gather) are not read: a verdict on them would rest on guesses.
    """
    history = as_dict(img).get("history")
    if not isinstance(history, list) or not history:
        return None, "history not available"
    if not all(isinstance(h, dict) and isinstance(h.get("instruction"), str) for h in history):
        return None, "history not in the per-layer summary form (raw lines of an older gather?): gather again"
    return history, None


# --- Image references and secret names ------------------------------------------------------------

def parse_image_ref(ref):
    """Split an image reference into (registry, repository, tag, digest).

    ``nginx:1.27`` -> ('docker.io', 'library/nginx', '1.27', None);
    ``ghcr.io/acme/app@sha256:ab..`` -> ('ghcr.io', 'acme/app', None, 'sha256:ab..').
    """
    ref = str(ref or "")
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    tag = None
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        ref, tag = ref.rsplit(":", 1)
    parts = ref.split("/", 1)
    if len(parts) == 2 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry, repo = parts[0], parts[1]
    else:
        registry, repo = DEFAULT_REGISTRY, ref
    if registry in ("index.docker.io", "registry-1.docker.io"):
        registry = DEFAULT_REGISTRY
    if registry == DEFAULT_REGISTRY and "/" not in repo:
        repo = "library/" + repo
    return registry, repo, tag, digest


def image_matches(ref, prefixes):
    """True when the reference's ``registry/repository`` starts with one of ``prefixes``."""
    registry, repo, _tag, _digest = parse_image_ref(ref)
    full = "%s/%s" % (registry, repo)
    for p in as_list(prefixes):
        p = str(p).rstrip("/")
        if full == p or full.startswith(p + "/"):
            return True
    return False


_DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")


def pulled_from(img):
    """The ``registry/repository`` names an image was pulled from (or pushed to): its RepoDigests.

    dockerd records a RepoDigest (``repo@sha256:<manifest digest>``) when it pulls or pushes an image
    (moby daemon/internal/distribution/pull_v2.go and push_v2.go, addDigestReference); ``docker build``,
    ``docker tag``, ``docker load`` and ``docker import`` add none for the new name. So a tag says
    what the image is called, only a RepoDigest where its content came from. None when the RepoDigests
    prove nothing: with the containerd image store (``image_store: containerd``) dockerd makes one
    from every name the image has (moby daemon/containerd/image_inspect.go collectRepoTagsAndDigests).
    """
    if as_dict(img).get("image_store") == "containerd":
        return None
    out = []
    for entry in names(as_dict(img).get("repo_digests")):
        registry, repo, _tag, digest = parse_image_ref(entry)
        if digest and _DIGEST_RE.match(digest):
            full = "%s/%s" % (registry, repo)
            if full not in out:
                out.append(full)
    return out


def is_secret_name(name):
    """A name that suggests a secret value (SECRET_NAME_RE), unless it points at a file (``_FILE``,
    ``_PATH``: the good pattern). ``db-pass``, ``com.acme.api-token`` are read as ``db_pass``, ..."""
    name = re.sub(r"[-.\s]", "_", str(name))
    return bool(SECRET_NAME_RE.search(name)) and not SECRET_FILE_SUFFIX_RE.search(name)


# --- What dockerd runs versus what daemon.json says (items 7, 10, 20, 31, X.9) --------------------

def daemon_config_mismatch(facts):
    """Why facts.daemon_config is not the file the audited dockerd reads, else None.

    dockerd reads its ``--config-file`` (moby daemon/command/docker.go; default
    /etc/docker/daemon.json): a snap's dockerd never reads /etc/docker/daemon.json."""
    facts = as_dict(facts)
    proc = as_dict(facts.get("dockerd_process"))
    expected = proc.get("config_file")
    if not isinstance(expected, str) or not expected:
        values = dockerd_cli.flag_values(daemon_flags(facts), "config-file")
        expected = str(values[-1]) if values and values[-1] else None
    path = as_dict(facts.get("daemon_config")).get("path")
    if expected and isinstance(path, str) and posixpath.normpath(expected) != posixpath.normpath(path):
        return ("the daemon configuration read is %s, but dockerd reads %s (--config-file): its settings are "
                "unknown" % (text(path), text(expected)))
    return None


def daemon_json(facts):
    """The audited dockerd's config file content; {} when the file read is not the one it reads."""
    if daemon_config_mismatch(facts):
        return {}
    return as_dict(as_dict(facts.get("daemon_config")).get("content"))


def daemon_flags(facts):
    return as_dict(as_dict(facts.get("dockerd_process")).get("flags"))


def daemon_setting(facts, key, flag=None):
    """The value of a daemon setting and where it came from.

    moby daemon/config/config.go findConfigurationConflicts: dockerd refuses to start when a key is
    set both in its config file and on the command line, so one of them holds it. When both do,
    the file changed after dockerd started and the flag is what runs (the source says so). A
    boolean flag's value is read as pflag reads it (``--icc`` true, ``--icc=0`` false). Returns
    (value, source) or (None, None).
    """
    content = daemon_json(facts)
    flags = daemon_flags(facts)
    for name in as_list(flag) or ["--" + key]:
        if name in flags:
            values = as_list(flags[name])
            value = values[-1] if values else True
            if value in ("", None):
                value = True
            long_name = dockerd_cli.SHORT_FLAGS.get(name[1:], name[2:]) if not name.startswith("--") else name[2:]
            if long_name in dockerd_cli.BOOL_FLAGS and dockerd_cli.go_bool(value) is not None:
                value = dockerd_cli.go_bool(value)
            source = "dockerd %s" % name
            if key in content:
                source += (" (daemon.json also sets %s: dockerd refuses both, so the file changed after it "
                           "started and is not in effect)" % key)
            return value, source
    if key in content:
        return content[key], "daemon.json"
    return None, None


def restart_pending(facts):
    """Why the daemon.json text may not be what dockerd runs, else None.

    dockerd reads daemon.json when it starts (a SIGHUP reloads only a few keys, such as debug
    and labels); a file changed after dockerd started holds settings that are not in effect
    until the next restart.
    """
    import datetime as _dt
    changed = parse_timestamp(as_dict(facts.get("daemon_config")).get("mtime"))
    proc = as_dict(facts.get("dockerd_process"))
    started = parse_timestamp(proc.get("started_at"))
    # The start time is only as precise as the gather could read it (dockerd_process
    # started_at_uncertainty: two clock ticks from /proc/uptime, a second from /proc/stat's btime,
    # which is truncated). Facts without it came from btime and were truncated to the second
    # once more: two seconds. Only a change later than the latest possible start is "after".
    uncertainty = proc.get("started_at_uncertainty")
    if isinstance(uncertainty, bool) or not isinstance(uncertainty, (int, float)) or uncertainty < 0:
        uncertainty = 2.0
    if changed is None or started is None or changed <= started + _dt.timedelta(seconds=uncertainty):
        return None
    return ("daemon.json changed at %sZ, after dockerd started at %sZ: settings that need a restart are not in "
            "effect yet" % (changed.isoformat(), started.isoformat()))


def icc_state(facts):
    """(icc_disabled: bool|None, evidence) from the bridge network, else the daemon setting."""
    bridge = as_dict(as_dict(docker(facts).get("bridge_network")).get("Options"))
    value = bridge.get("com.docker.network.bridge.enable_icc")
    if value is not None:
        return falsy(value), "default bridge com.docker.network.bridge.enable_icc=%s" % value
    setting, source = daemon_setting(facts, "icc")
    if setting is not None:
        return falsy(setting), "icc=%s (%s)" % (setting, source)
    return False, "icc not set in daemon.json or on the dockerd command line (default: true)"


def daemon_command_flags(facts):
    """dockerd's flags: the running process's, else (no process read) those of the unit's ExecStart,
    read the way dockerd reads them (dockerd_cli.parse_flags)."""
    flags = daemon_flags(facts)
    proc = as_dict(as_dict(facts).get("dockerd_process"))
    if flags or isinstance(proc.get("cmdline"), list):
        # a dockerd started without flags has none: the unit file is not what runs then
        return flags
    exec_start = proc.get("unit_exec_start")
    if isinstance(exec_start, str):
        return dockerd_cli.parse_flags(exec_start.split())
    return {}


def socket_streams(facts):
    """docker.socket's effective ``ListenStream=`` values (dockerd_process.socket_activation), None when unread."""
    activation = as_dict(as_dict(facts).get("dockerd_process")).get("socket_activation")
    streams = as_dict(activation).get("listen_streams")
    return list(streams) if isinstance(streams, list) else None


def daemon_listeners(facts):
    """Every socket the audited dockerd serves its API on: dockerd_cli.listeners records
    ({value, source, scheme, address, port, error}) from -H/--host, daemon.json ``hosts`` and, for
    ``fd://``, docker.socket's ListenStream= lines (moby daemon/pkg/opts/hosts.go ParseDaemonHost)."""
    return dockerd_cli.listeners(daemon_command_flags(facts), daemon_json(facts), socket_streams(facts))


def daemon_hosts(facts):
    """The host values dockerd was given (-H/--host, daemon.json hosts; the default when none)."""
    return [str(r["value"]) for r in daemon_listeners(facts) if r["source"] != "docker.socket ListenStream"]


def listener_text(record):
    """``tcp://0.0.0.0:2375 (dockerd -H 0.0.0.0:2375)``: where it listens and what said so."""
    r = as_dict(record)
    scheme, address, port = r.get("scheme"), r.get("address"), r.get("port")
    if scheme == "tcp":
        host = "[%s]" % address if ":" in str(address) else str(address)
        where = "tcp://%s:%s" % (host, port)
    elif scheme in ("unix", "fd", "npipe", "vsock"):
        where = "%s://%s" % (scheme, address)
    elif scheme == "unix-abstract":
        where = "abstract unix socket %s" % address
    else:
        where = str(r.get("value"))
    return "%s (%s %s)" % (text(where), r.get("source"), text(r.get("value"), 60))


# Listeners reached over a network (or, for an abstract socket, by any local process): only TLS
# client verification guards them.
NETWORK_SCHEMES = ("tcp", "vsock")


def _host_ports(value):
    """The ports a published HostPort names: ``8080``, ``8080-8090``; none for other forms."""
    m = re.match(r"^\s*(\d+)(?:\s*-\s*(\d+))?\s*$", str(value)) if value not in (None, "") else None
    if not m:
        return set()
    low, high = int(m.group(1)), int(m.group(2) or m.group(1))
    return set(range(low, min(high, low + 1024) + 1))


def _unexplained_tcp(facts, network):
    """dockerd's live TCP listening sockets (dockerd_process.tcp_listening, from /proc/net/tcp{,6}
    and its fds) that neither a judged listener nor a known non-API port (swarm 2377/7946 in a
    swarm, metrics-addr, network-diagnostic-port) explains: a form this model did not read."""
    live = as_dict(as_dict(facts).get("dockerd_process")).get("tcp_listening")
    if not isinstance(live, list):
        return []
    known = set(r["port"] for r in network if r["scheme"] == "tcp")
    if swarm_state(facts)[0]:
        known.update((2377, 7946))
    for key in ("metrics-addr", "network-diagnostic-port"):
        value, _source = daemon_setting(facts, key)
        m = re.search(r"(\d+)\s*$", str(value)) if value is not None else None
        if m:
            known.add(int(m.group(1)))
    # With userland-proxy off, dockerd itself binds each published host port to keep it reserved
    # (moby libnetwork/portmapper newDummyProxy): those sockets are containers' ports, not the API.
    for c in as_list(docker(facts).get("containers")):
        for mapping in as_list(as_dict(c).get("ports")) + as_list(as_dict(c).get("port_bindings")):
            known.update(_host_ports(as_dict(mapping).get("host_port")))
    out = []
    for sock in live:
        sock = as_dict(sock)
        if sock.get("port") not in known:
            out.append("dockerd listens on TCP %s port %s, which none of its hosts, docker.socket, swarm or "
                       "metrics settings name: an API listener this audit could not read"
                       % (text(sock.get("address"), 40), text(sock.get("port"), 8)))
    return out


def tcp_api_exposure(facts):
    """(problems, fine, unknown) about the API's network listeners, for items 30 and X.5.

    moby daemon/command/daemon.go loadListeners/newAPIServerTLSConfig: a TCP (or socket-activated
    TCP) listener requires a client certificate only with TLS on and tlsverify not false; an
    abstract unix socket has no file permissions at all; a host value dockerd's parser would not
    take is ``unknown`` (error), never "no listener".
    """
    problems, fine, unknown = [], [], []
    listeners = daemon_listeners(facts)
    tls = dockerd_cli.tls_state(daemon_command_flags(facts), daemon_json(facts))
    if tls["error"]:
        unknown.append("TLS settings not understood: %s" % tls["error"])
    network = []
    for r in listeners:
        if r["error"]:
            unknown.append("listener not understood: %s" % text(r["error"], 160))
        elif r["scheme"] in NETWORK_SCHEMES:
            network.append(r)
        elif r["scheme"] == "unix-abstract":
            problems.append("dockerd serves the API on %s: an abstract socket has no file permissions, any local "
                            "process (and any container in the host network namespace) can reach it"
                            % listener_text(r))
        elif r["scheme"] == "npipe":
            unknown.append("named pipe listener on a Linux host: %s" % listener_text(r))
    unknown.extend(_unexplained_tcp(facts, network))
    pending = restart_pending(facts)
    if pending and not daemon_config_mismatch(facts):
        # hosts and tls* are read at start only: a file changed since may list listeners or a
        # verification dockerd does not run with (or no longer list one it still serves). The
        # kernel's list of dockerd's own TCP listening sockets settles the TCP side: none held, and
        # none in the settings, means no TCP API whatever the file says now.
        live = as_dict(as_dict(facts).get("dockerd_process")).get("tcp_listening")
        if isinstance(live, list) and not live and not network:
            fine.append("dockerd holds no TCP listening socket (/proc/net/tcp, tcp6), so the daemon.json change "
                        "since it started opens no TCP API")
        else:
            unknown.append("%s: the running listeners and TLS settings may differ from the file's" % pending)
    if network and not tls["verified"]:
        problems.append("dockerd listens on %s without TLS client verification (%s)"
                        % (", ".join(listener_text(r) for r in network), tls["source"]))
    elif network and tls["cacert"] == "":
        problems.append("dockerd listens on %s and verifies clients against the system's root CAs "
                        "(tlscacert is empty): any publicly issued client certificate gets in"
                        % ", ".join(listener_text(r) for r in network))
    elif network:
        fine.append("TCP %s with TLS client verification (%s)"
                    % (", ".join(listener_text(r) for r in network), tls["source"]))
    else:
        fine.append("no TCP listener")
    return problems, fine, unknown


def tcp_without_tls(facts):
    """(network listener texts, TLS state text, verified): verified only when dockerd requires client certificates."""
    listeners = [r for r in daemon_listeners(facts) if not r["error"] and r["scheme"] in NETWORK_SCHEMES]
    tls = dockerd_cli.tls_state(daemon_command_flags(facts), daemon_json(facts))
    return [listener_text(r) for r in listeners], tls["source"], tls["verified"]


# --- Time (items 13, 29, 37, 46, 49) --------------------------------------------------------------

_TIMESTAMP_RE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?\s*$"
)


def parse_timestamp(value):
    """A naive UTC ``datetime`` from what facts and history hold, or None when unreadable.

    Reads ISO 8601 strings (``2026-11-23T05:00:00Z``, Docker's nanosecond form
    ``2026-11-23T05:00:00.123456789+00:00``, a bare date), ``date``/``datetime`` objects and
    epoch seconds. Never raises.
    """
    import datetime as _dt
    try:
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, _dt.datetime):
            if value.tzinfo is not None:
                value = (value - value.utcoffset()).replace(tzinfo=None)
            return value
        if isinstance(value, _dt.date):
            return _dt.datetime(value.year, value.month, value.day)
        if isinstance(value, (int, float)):
            return _dt.datetime(1970, 1, 1) + _dt.timedelta(seconds=float(value))
        m = _TIMESTAMP_RE.match(str(value))
        if not m:
            return None
        year, month, day, hour, minute, second, frac, zone = m.groups()
        micro = int((frac or "0")[:6].ljust(6, "0"))
        ts = _dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                          int(second or 0), micro)
        if zone and zone not in ("Z", "z"):
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
            ts = ts - sign * offset
        return ts
    except (ValueError, OverflowError, TypeError, OSError):
        return None


def days_since(value, until):
    """Whole days from ``value`` (see parse_timestamp) to ``until`` (a date); None when unreadable."""
    ts = parse_timestamp(value)
    ref = parse_timestamp(until)
    if ts is None or ref is None:
        return None
    return (ref.date() - ts.date()).days


def today(facts, opts):
    """The audit date: the engine's ``_today``, else the date the facts were gathered, else None."""
    ts = parse_timestamp(as_dict(opts).get("_today"))
    if ts is None:
        ts = parse_timestamp(as_dict(facts).get("gathered_at"))
    return ts.date() if ts is not None else None


# --- Swarm state and host agents (items 32, 33, 35, 36-40, X.14) ----------------------------------

def swarm_state(facts):
    """(active, is_manager, swarm dict). ``is_manager`` is None when unknown."""
    d = docker(facts)
    swarm = d.get("swarm")
    info_swarm = as_dict(as_dict(d.get("info")).get("Swarm"))
    active = isinstance(swarm, dict) or info_swarm.get("LocalNodeState") == "active"
    swarm = as_dict(swarm)
    manager = swarm.get("is_manager")
    if not isinstance(manager, bool):
        manager = info_swarm.get("ControlAvailable") if isinstance(info_swarm.get("ControlAvailable"), bool) \
            else None
    return active, manager, swarm


def off_swarm_text(facts):
    """``not in a swarm``, and for a rootless daemon why it stays so: Docker's rootless mode does not
    support overlay networks (Docker docs, Rootless mode, Known limitations), which swarm services
    across nodes need. What dockerd reports wins: a rootless daemon in an active swarm is judged."""
    if is_rootless(facts):
        return ("not in a swarm: %s has no overlay networks (not supported in rootless mode), so swarm does not "
                "apply to it" % rootless_text(facts))
    return "not in a swarm"


def swarm_manager_gate(facts, what="a cluster setting"):
    """(None, swarm) for a manager, else (result, None) for a node that does not evaluate it."""
    active, manager, swarm = swarm_state(facts)
    if not active:
        return result(NA, off_swarm_text(facts)), None
    if manager is False:
        return result(NA, "this node is a swarm worker: %s; the manager's report covers it" % what), None
    return None, swarm


def swarm_managers_only(what):
    """Decorator for an evaluator that only a swarm manager can judge: it runs as
    ``check(facts, opts, swarm)`` on a manager; elsewhere the verdict is swarm_manager_gate's."""
    def decorate(check):
        def evaluate(facts, opts):
            gate, swarm = swarm_manager_gate(facts, what)
            return gate or check(as_dict(facts), opts, swarm)
        evaluate.__name__, evaluate.__doc__ = check.__name__, check.__doc__
        return evaluate
    return decorate


def swarm_services(swarm):
    return [s for s in as_list(swarm.get("services")) if isinstance(s, dict)]


def _boundary_match(name, pattern):
    """``pattern`` occurs in ``name`` as a whole word (separators: anything but [a-z0-9]). A
    truncated comm (15 characters, proc(5) TASK_COMM_LEN) matches no longer pattern by its
    prefix: the services gather lists the full name beside it when /proc/PID/exe or argv[0]
    confirms it, so ``systemd-journal`` (journald) is neither ``systemd-journal-upload`` nor
    ``journalbeat``."""
    name = name.lower().replace("_", "-")
    pattern = pattern.lower().replace("_", "-")
    if not pattern:
        return False
    return bool(re.search(r"(^|[^a-z0-9])%s($|[^a-z0-9])" % re.escape(pattern), name))


def frozen_agents(facts, patterns):
    """The ``patterns`` whose every process is stopped or dead (/proc/PID/stat state T, t, Z:
    ``kill -STOP`` blinds a sensor while systemd still lists its unit as running)."""
    services = as_dict(as_dict(facts).get("services"))
    stopped = names(services.get("stopped"))
    live = [n for n in names(services.get("processes")) if n not in stopped]
    return [p for p in patterns if any(_boundary_match(n, p) for n in stopped)
            and not any(_boundary_match(n, p) for n in live)]


def host_agent_matches(facts, opts, patterns):
    """Where any of ``patterns`` runs: ["service fluent-bit.service", "container vector (image ...)"];
    a pattern whose processes are all stopped runs nowhere (frozen_agents)."""
    services = as_dict(as_dict(facts).get("services"))
    frozen = frozen_agents(facts, patterns)
    patterns = [p for p in patterns if p not in frozen]
    found = []
    for kind, values in (("service", services.get("running")), ("process", services.get("processes"))):
        for n in names(values):
            for p in patterns:
                if _boundary_match(n, p):
                    found.append("%s %s" % (kind, text(n)))
                    break
    matches = {}  # image -> whether it matches: containers share a handful of images
    for c in scoped_containers(facts, opts):
        if c.get("state") != "running":
            continue  # a paused or restarting agent collects and ships nothing
        image = c.get("image")
        if image is None or isinstance(image, (list, dict)):
            continue
        if image not in matches:
            _reg, repo, _tag, _digest = parse_image_ref(image)
            base = repo.rsplit("/", 1)[-1]
            matches[image] = any(_boundary_match(base, p) for p in patterns)
        if matches[image]:
            found.append("container %s (image %s)" % (text(container_label(c)), text(image)))
    return found
