"""Issue 16, images / secrets / supply chain slice: verdicts by the judged program's own rules.

Each test plants a host state that looked hardened to the old string checks (a secret in image
history, a moved tag, a local build named like an official image, ...) and asserts the verdict and
its evidence."""

import datetime
import json
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_container, make_facts, make_image

from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import engine as audit
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import extended, images, secrets
from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import supply_chain
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import docker as gather_docker

OPTS = audit.validate_options({})
TODAY = datetime.date(2026, 11, 23)
IMG = "sha256:" + "1" * 64
OTHER = "sha256:" + "2" * 64


def run(check, facts, **opts):
    o = dict(OPTS)
    o["_today"] = TODAY
    o.update(opts)
    status, evidence = check(facts, o)
    assert isinstance(evidence, list) and evidence and all(isinstance(e, str) for e in evidence)
    return status, " | ".join(evidence)


def one_image(img, **container):
    """A host running one container (app) of ``image`` (image facts)."""
    return make_facts(containers=[make_container("app", **container)], images={IMG: img})


# ---------------------------------------------------------------- 1. only names leave the host

SECRETS = {
    "bearer": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl",
    "mysql": "S3cr3tMysqlPw",
    "docker_login": "hunter2DockerPw",
    "curl_user": "pa55w0rdCurl",
    "ghp": "ghp_1234567890abcdefABCDEF1234567890abcd",
    "pem": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC",
    "netrc": "n3trcPassW0rd",
    "netrc_copy": "n3trcCopyPw",
    "env": "EnvValue42x",
    "build_arg": "npm_BuildArgValue0123456789abcdefABCDEF",
    "label": "LabelValue42x",
    "cmd": "CmdPassword42x",
    "healthcheck": "HcUserPw42x",
    "commit": "CommitPw42x",
}

PLANTED = [
    "RUN /bin/sh -c curl -fsSL -H 'Authorization: Bearer %s' https://get.example/install.sh | sh # buildkit"
    % SECRETS["bearer"],
    "/bin/sh -c mysql -uroot -p%s -e 'CREATE DATABASE app'" % SECRETS["mysql"],
    "RUN /bin/sh -c docker login -u ci -p %s registry.example.com # buildkit" % SECRETS["docker_login"],
    "RUN /bin/sh -c curl -u admin:%s -o /app.tgz https://files.example/app.tgz # buildkit" % SECRETS["curl_user"],
    "RUN /bin/sh -c git clone https://%s@github.com/acme/private.git /src # buildkit" % SECRETS["ghp"],
    "RUN /bin/sh -c printf '%%s' '-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----' > /k.pem # buildkit"
    % SECRETS["pem"],
    "RUN /bin/sh -c cat > /root/.netrc <<EOF\nmachine github.com login bob password %s\nEOF # buildkit"
    % SECRETS["netrc"],
    "COPY <<EOF /root/.netrc\nmachine example.com login ci password %s\nEOF # buildkit" % SECRETS["netrc_copy"],
    "/bin/sh -c #(nop)  ENV DB_PASSWORD=%s" % SECRETS["env"],
    "RUN |1 NPM_TOKEN=%s /bin/sh -c npm ci # buildkit" % SECRETS["build_arg"],
    "/bin/sh -c #(nop)  LABEL api_token=%s" % SECRETS["label"],
    '/bin/sh -c #(nop)  CMD ["sh" "-c" "echo --password=%s; exec sleep 1"]' % SECRETS["cmd"],
    'HEALTHCHECK &{["CMD-SHELL" "curl -fu admin:%s http://localhost/"] "30s" "3s" "0s" "0s" \'\\x03\'}'
    % SECRETS["healthcheck"],
    "mysqladmin --password=%s reload" % SECRETS["commit"],   # docker commit records the container's command
]


def _gathered(lines):
    ins = {"RepoTags": ["app:1"], "RepoDigests": [], "Size": 5, "Os": "linux",
           "Config": {"Env": ["PATH=/bin", "DB_PASSWORD=" + SECRETS["env"]], "Labels": {"api_token": SECRETS["label"]}}}
    return gather_docker.normalize_image(ins, [{"CreatedBy": line, "Created": 1700000000, "Size": 10,
                                                "Comment": "buildkit.dockerfile.v0"} for line in lines])


def test_history_secrets_never_leave_the_host():
    text = json.dumps(_gathered(PLANTED))
    for kind, secret in sorted(SECRETS.items()):
        assert secret not in text, kind
    assert '"admin' not in text and '"bob"' not in text      # argument values, even harmless ones, stay too


def test_history_summary_keeps_names_and_kinds_of_credential():
    img = _gathered(PLANTED)
    kinds = set(k for layer in img["history"] for k in layer["secret_kinds"])
    for kind in ("an Authorization header", "a mysql/mariadb -p password", "a docker/podman login password",
                 "a user:password argument", "a token as the user of an http(s) URL", "a GitHub token",
                 "a PEM block", "a .netrc password", "a password option"):
        assert kind in kinds, kind
    first = img["history"][0]
    assert first["instruction"] == "RUN" and first["pipe_to_shell"] is True and "curl" in first["programs"]
    assert first["created"] == 1700000000 and first["size"] == 10
    by_instruction = dict((layer["instruction"], layer) for layer in img["history"])
    assert by_instruction["ENV"]["names"] == ["DB_PASSWORD"] and by_instruction["LABEL"]["names"] == ["api_token"]
    assert by_instruction["COPY"]["paths"] == ["/root/.netrc"]
    assert by_instruction["OTHER"]["programs"] == ["mysqladmin"]


def test_item_15_fails_on_a_credential_in_history_naming_its_kind():
    status, ev = run(images.check_15, one_image(make_image(history=[PLANTED[1]])))
    assert status == "fail" and "credentials in the image history: a mysql/mariadb -p password (RUN)" in ev
    assert SECRETS["mysql"] not in ev


def test_item_15_old_planted_cases_still_fail_from_the_summary():
    for line, needle in ((PLANTED[8], "DB_PASSWORD"), (PLANTED[9], "NPM_TOKEN"), (PLANTED[7], "/root/.netrc"),
                         ("ARG GITHUB_TOKEN", "GITHUB_TOKEN"), ("COPY id_rsa /root/.ssh/ # buildkit", "id_rsa")):
        status, ev = run(images.check_15, one_image(make_image(history=[line])))
        assert status == "fail" and needle in ev, line


def test_item_15_secret_like_label_names_fail():
    status, ev = run(images.check_15, one_image(make_image(labels_names=["com.acme.api-token"])))
    assert status == "fail" and "secret-like label names: com.acme.api-token" in ev


def test_item_15_harmless_history_passes():
    lines = ["RUN /bin/sh -c apt-get install -y --password-stdin-less curl # buildkit",
             "ENV TOKEN_PATH=/run/secrets/token", "RUN /bin/sh -c mysql -p\"$MYSQL_PASSWORD\" -e 'select 1'",
             "RUN /bin/sh -c docker login -u ci --password-stdin registry.example.com"]
    assert run(images.check_15, one_image(make_image(history=lines)))[0] == "pass"


def test_raw_history_lines_of_an_older_gather_are_not_read():
    img = make_image()
    img["history"] = ["/bin/sh -c #(nop)  ENV DB_PASSWORD=<redacted>"]
    status, ev = run(images.check_15, one_image(img))
    assert status == "error" and "gather again" in ev
    assert run(supply_chain.check_42, one_image(img))[0] == "manual"


def test_item_42_and_x3_read_the_summary():
    f = one_image(make_image(history=["/bin/sh -c apt-get update && apt-get install -y gcc make",
                                      '/bin/sh -c #(nop)  ENTRYPOINT ["/usr/bin/tini" "--" "/app"]']),
                  init=False)
    status, ev = run(supply_chain.check_42, f)
    assert status == "fail" and "gcc installed" in ev
    assert run(extended.check_x3, f)[0] == "pass"


@settings(max_examples=150, deadline=None)
@given(secret=st.text(alphabet=string.ascii_letters + string.digits + "_.,:+/-", min_size=10, max_size=40)
       .filter(lambda s: s[0].isalnum() and any(c.isdigit() for c in s)),
       template=st.sampled_from([
           "ENV DB_PASSWORD=%s", "ENV DB_PASSWORD %s", "ARG TOKEN=%s", "LABEL x=\"%s\"", "|1 A=%s /bin/sh -c make",
           "/bin/sh -c echo --password=%s", "/bin/sh -c run --api-key %s", "/bin/sh -c DB_PASSWORD=%s ./start",
           "/bin/sh -c curl https://bob:%s@host/x", "/bin/sh -c mysql -p%s", "/bin/sh -c echo %s > /etc/key",
           "/bin/sh -c cat > f <<EOF\n%s\nEOF", "COPY <<EOF /f\n%s\nEOF", "CMD [\"app\" \"%s\"]",
           "ENTRYPOINT [\"/app\" \"--token\" \"%s\"]", "sh -c ./tool %s", "/bin/sh -c curl -u me:%s https://x",
           "RUN --mount=type=secret,id=x /bin/sh -c echo '%s' | base64 -d > /k # buildkit",
       ]))
def test_random_values_never_leave_in_the_history_summary(secret, template):
    line = template % secret
    text = json.dumps(_gathered([line])["history"])
    # a value that is also a word of the template (or a number the summary holds) cannot be told apart
    if secret not in (template % "").split() and not secret.isdigit():
        assert secret not in text, (line, text)


# ---------------------------------------------------------------- 3. item 11: pulled, not named

def test_item_11_local_build_named_like_an_official_image_fails():
    f = one_image(make_image(repo_tags=["nginx:1.27"], repo_digests=[]), image="nginx:1.27", image_id=IMG)
    status, ev = run(images.check_11, f)
    assert status == "fail" and "no RepoDigests" in ev and "nginx:1.27 (used by app)" in ev


def test_item_11_docker_tag_of_another_repository_fails():
    f = one_image(make_image(repo_tags=["nginx:1.27"], repo_digests=["evilcorp/miner@sha256:" + "e" * 64]),
                  image="nginx:1.27", image_id=IMG)
    status, ev = run(images.check_11, f)
    assert status == "fail" and "pulled from docker.io/evilcorp/miner" in ev


def test_item_11_pulled_official_image_passes_whatever_it_is_called():
    f = one_image(make_image(repo_tags=[], repo_digests=["nginx@sha256:" + "a" * 64]), image=IMG, image_id=IMG)
    assert run(images.check_11, f)[0] == "pass"


def test_item_11_uninspected_image_is_an_error():
    f = make_facts(containers=[make_container("app", image="nginx:1.27")], images={})
    assert run(images.check_11, f)[0] == "error"


def test_item_14_family_name_without_its_digest_is_judged_by_size():
    big = 900 * 1024 * 1024
    retagged = make_image(repo_tags=["alpine:3.20"], repo_digests=["ubuntu@sha256:" + "b" * 64], size=big)
    status, ev = run(images.check_14, one_image(retagged, image="alpine:3.20"))
    assert status == "fail" and "900 MB" in ev
    pulled = make_image(repo_tags=["alpine:3.20"], repo_digests=["alpine@sha256:" + "b" * 64], size=big)
    assert run(images.check_14, one_image(pulled, image="alpine:3.20"))[0] == "pass"


def test_item_11_evidence_names_every_reference_an_image_runs_under():
    # Found by molecule/adversarial: nginx:1.27 (a docker tag of the workload image) was named only as the workload.
    img = make_image(repo_tags=["dockersec/workload:busybox", "nginx:1.27"], repo_digests=[])
    f = make_facts(containers=[make_container("app", image="dockersec/workload:busybox"),
                               make_container("web", image="nginx:1.27")], images={IMG: img})
    status, ev = run(images.check_11, f)
    assert status == "fail" and "nginx:1.27" in ev and "dockersec/workload:busybox" in ev


@pytest.mark.parametrize("size", [float("inf"), float("nan"), -5])
def test_item_14_a_size_that_is_no_byte_count_is_unknown_not_a_crash(size):
    # Found by test_hostile_values_in_any_container_or_image_field: inf // n is NaN, and "%d" of it raised.
    img = make_image(repo_tags=["app:1"], repo_digests=["app@sha256:" + "b" * 64], size=size)
    status, ev = run(images.check_14, one_image(img, image="app:1"))
    assert status in ("manual", "error") and "not a byte count" in ev


# ---------------------------------------------------------------- X.10: the healthcheck dockerd runs

@pytest.mark.parametrize("test,expected", [(["NONE"], False), ([], False), (["CMD", "true"], True),
                                           (["CMD-SHELL", "curl -f http://localhost/"], True), (["BOGUS"], False)])
def test_x10_gather_counts_only_a_probe_dockerd_runs(test, expected):
    assert gather_docker.has_healthcheck({"Healthcheck": {"Test": test}}) is expected
    assert gather_docker.normalize_image({"Config": {"Healthcheck": {"Test": test}}}, [])["healthcheck"] is expected


def test_x10_no_healthcheck_on_the_container_fails_although_the_image_has_one():
    f = one_image(make_image(healthcheck=True), healthcheck=False)
    status, ev = run(extended.check_x10, f)
    assert status == "fail" and "healthcheck disabled for the container" in ev
    assert run(extended.check_x10, one_image(make_image(healthcheck=True), healthcheck=True))[0] == "pass"
    assert run(extended.check_x10, one_image(make_image(healthcheck=True), healthcheck=None))[0] == "pass"


# ---------------------------------------------------------------- 2. item 13: the scan of this image

def _latest_host(image_id=OTHER, digests=None):
    img = make_image(repo_tags=["acme/app:latest"], repo_digests=digests or [])
    return make_facts(containers=[make_container("app", image="acme/app:latest", image_id=image_id)],
                      images={image_id: img})


def test_item_13_a_moved_latest_fails_on_the_old_image_scan():
    # Scanned last week as acme/app:latest = IMG; the tag has moved and the host runs OTHER now.
    scans = {"images": {"acme/app:latest": {"critical": 0, "created": "2026-11-22T00:00:00Z", "file": "/s/app.json",
                                            "image_id": IMG, "repo_digests": []},
                        IMG: {"critical": 0, "created": "2026-11-22T00:00:00Z", "file": "/s/app.json",
                              "image_id": IMG, "repo_digests": []}}, "errors": []}
    status, ev = run(images.check_13, _latest_host(), _scan_results=scans)
    assert status == "fail" and "no scan of this image (sha256:22222222222" in ev and "/s/app.json" in ev
    assert "of image sha256:11111111111" in ev
    assert run(images.check_13, _latest_host(image_id=IMG), _scan_results=scans)[0] == "pass"


def test_item_13_a_scan_naming_only_a_tag_is_no_scan_of_the_running_image():
    scans = {"images": {"acme/app:latest": {"critical": 0, "created": "2026-11-22T00:00:00Z", "file": "/s/a.json"}},
             "errors": []}
    status, ev = run(images.check_13, _latest_host(), _scan_results=scans)
    assert status == "fail" and "naming only a tag (no Metadata.ImageID)" in ev


def test_item_13_a_scan_matched_by_manifest_digest_counts():
    digest = "sha256:" + "d" * 64
    scan = {"critical": 0, "created": "2026-11-22T00:00:00Z", "file": "/s/b.json", "image_id": "sha256:" + "9" * 64,
            "repo_digests": ["registry.acme.io/app@" + digest]}
    scans = {"images": {"registry.acme.io/app@" + digest: scan}, "errors": []}
    assert run(images.check_13, _latest_host(digests=["acme/app@" + digest]), _scan_results=scans)[0] == "pass"


def test_item_13_the_newest_matching_scan_counts():
    old = {"critical": 2, "created": "2026-11-01T00:00:00Z", "file": "/s/old.json", "image_id": OTHER}
    new = {"critical": 0, "created": "2026-11-22T00:00:00Z", "file": "/s/new.json", "image_id": OTHER}
    scans = {"images": {OTHER: new, "acme/app:v1": old}, "errors": []}
    assert run(images.check_13, _latest_host(), _scan_results=scans)[0] == "pass"


def test_item_13_trivy_reader_keeps_what_the_report_was_a_scan_of(tmp_path):
    from ansible_collections.dockersec.hardening.plugins.module_utils.evaluate import inputs
    (tmp_path / "a.json").write_text(json.dumps({
        "ArtifactName": "acme/app:latest", "CreatedAt": "2026-11-22T00:00:00Z",
        "Metadata": {"ImageID": IMG, "RepoTags": ["acme/app:latest"], "RepoDigests": ["acme/app@sha256:" + "d" * 64]},
        "Results": []}))
    scan = inputs.read_trivy_results(str(tmp_path))["images"]["acme/app:latest"]
    assert scan["image_id"] == IMG and scan["repo_digests"] == ["acme/app@sha256:" + "d" * 64]
    status, ev = run(images.check_13, _latest_host(), _scan_results=inputs.read_trivy_results(str(tmp_path)))
    assert status == "fail" and "no scan of this image" in ev


# ---------------------------------------------------------------- 4. item 26: the names people use

@pytest.mark.parametrize("name", ["DB_PASS", "DATABASE_URL", "MYSQL_PASS", "STRIPE_KEY", "JWT_SIGNING_KEY",
                                  "GITHUB_PAT", "PASSPHRASE", "db_pass", "db-pass", "REDIS_URL", "MONGODB_URI",
                                  "BASIC_AUTH", "ENCRYPTION_KEY", "CELERY_BROKER_URL", "GPG_PASSPHRASE",
                                  "DOCKER_AUTH_CONFIG", "SLACK_WEBHOOK_URL", "KAFKA_SASL_JAAS_CONFIG", "LDAP_ADMIN_PW",
                                  "DB_PW", "DB_CREDS", "AWS_CRED", "DISCORD_WEBHOOK"])
def test_item_26_common_secret_names_fail(name):
    f = make_facts(containers=[make_container("app", env_names=["PATH", name])])
    status, ev = run(secrets.check_26, f)
    assert status == "fail" and "container app: %s" % name in ev


@pytest.mark.parametrize("name", ["PATH", "PASSENGER_APP_ENV", "BYPASS_CACHE", "COMPASS_URL", "GPG_KEY",
                                  "PYTHON_GPG_KEY", "PUBLIC_KEY", "CACHE_KEY", "APP_URL", "API_URL",
                                  "OAUTH_CALLBACK_URL", "TOKENIZERS_PARALLELISM", "NGINX_GPGKEY", "DB_PASSWORD_FILE",
                                  "DATABASE_URL_FILE", "JWT_SIGNING_KEY_PATH", "DB_HOST", "PWD_HOME", "NPM_CONFIG_PREFIX",
                                  "AUTH_CONFIG_FILE", "WEBHOOK_PORT", "JAVA_OPTS", "SCREW", "APP_CONFIG", "DRAW"])
def test_item_26_ordinary_names_pass(name):
    f = make_facts(containers=[make_container("app", env_names=["HOME", name])])
    assert run(secrets.check_26, f)[0] == "pass"


# ---------------------------------------------------------------- X.2: busybox is a shell

def test_x2_busybox_without_a_sh_link_is_a_shell(tmp_path):
    from ansible_collections.dockersec.hardening.plugins.module_utils.gather import image_files
    layer = tmp_path / "layer"
    (layer / "bin").mkdir(parents=True)
    (layer / "bin" / "busybox").write_text("")
    (layer / "app").write_text("")
    ins = {"GraphDriver": {"Name": "overlay2", "Data": {"UpperDir": str(layer), "LowerDir": ""}}}
    img = gather_docker.normalize_image(ins, [])
    assert img["has_shell"] is True and img["shells"] == ["/bin/busybox"]
    status, ev = run(extended.check_x2, one_image(img))
    assert status == "fail" and "/bin/busybox" in ev
    assert "bin/dash" in image_files.SHELL_PATHS


# ---------------------------------------------------------------- item 45: pulled from the private registry

def test_item_45_a_docker_hub_image_tagged_as_private_fails():
    img = make_image(repo_tags=["registry.acme.io/shop/app:1"], repo_digests=["nginx@sha256:" + "a" * 64])
    f = one_image(img, image="registry.acme.io/shop/app:1")
    status, ev = run(supply_chain.check_45, f, private_registries=["registry.acme.io"])
    assert status == "fail" and "comes from docker.io/library/nginx" in ev
    local = make_image(repo_tags=["registry.acme.io/shop/app:1"], repo_digests=[])
    status, ev = run(supply_chain.check_45, one_image(local, image="registry.acme.io/shop/app:1"),
                     private_registries=["registry.acme.io"])
    assert status == "fail" and "no RepoDigests" in ev
    pulled = make_image(repo_tags=[], repo_digests=["registry.acme.io/shop/app@sha256:" + "a" * 64])
    assert run(supply_chain.check_45, one_image(pulled, image="registry.acme.io/shop/app:1"),
               private_registries=["registry.acme.io"])[0] == "pass"


# ---------------------------------------------------------------- 5. item 12: DCT is retired on Docker Hub

def _private(f):
    f["docker"]["images"][IMG]["repo_digests"] = ["registry.acme.io/base/nginx@sha256:" + "a" * 64]
    f["docker"]["containers"][0]["image"] = "registry.acme.io/base/nginx:1.27"
    return f


def test_item_12_dct_on_a_host_pulling_from_docker_hub_fails_naming_the_retirement():
    status, ev = run(images.check_12, make_facts())      # DCT=1, nginx pulled from Docker Hub
    assert status == "fail" and "images from Docker Hub: docker.io/library/nginx" in ev
    assert "Docker Content Trust is retired on Docker Hub" in ev and "2025-08-08" in ev and "cosign or Notation" in ev


def test_item_12_dct_counts_where_every_image_comes_from_a_notary_v1_registry():
    status, ev = run(images.check_12, _private(make_facts()), notary_v1_registries=["registry.acme.io"])
    assert status == "pass" and "DOCKER_CONTENT_TRUST=1 in /etc/environment" in ev and "Notary v1" in ev


@pytest.mark.parametrize("ref", ["ghcr.io/acme/app", "quay.io/acme/app", "registry.acme.io/base/nginx"])
def test_item_12_dct_verifies_nothing_for_registries_without_notary_v1(ref):
    # ghcr.io and quay.io never ran a Notary v1 server: DCT=1 cannot have verified an image that runs from there
    f = make_facts()
    f["docker"]["images"][IMG]["repo_digests"] = ["%s@sha256:%s" % (ref, "b" * 64)]
    f["docker"]["containers"][0]["image"] = ref + ":1"
    status, ev = run(images.check_12, f)          # notary_v1_registries empty by default
    assert status == "fail" and "images from registries not in notary_v1_registries: %s" % ref in ev
    assert "cosign (Sigstore) or Notation" in ev
    assert run(images.check_12, f, notary_v1_registries=["registry.other.io"])[0] == "fail"


def test_item_12_a_verification_policy_passes_with_its_tool():
    f = make_facts()
    f["environment"]["docker_content_trust"] = []
    status, ev = run(images.check_12, f, signature_policy="/etc/containers/policy.json")
    assert status == "pass" and "/etc/containers/policy.json (cosign at /usr/bin/cosign)" in ev
    f["tools"]["cosign"] = None
    status, ev = run(images.check_12, f, signature_policy="/etc/containers/policy.json")
    assert status == "fail" and "neither cosign nor notation is installed" in ev
    f["tools"]["notation"] = "/usr/bin/notation"
    assert run(images.check_12, f, signature_policy="/root/.config/notation/trustpolicy.oci.json")[0] == "pass"


def test_item_12_neither_dct_nor_a_policy_fails():
    f = _private(make_facts())
    f["environment"]["docker_content_trust"] = []
    status, ev = run(images.check_12, f)
    assert status == "fail" and "not set system-wide" in ev and "no image signature verification" in ev


def test_content_trust_role_sees_the_docker_hub_containers():
    from ansible_collections.dockersec.hardening.plugins.filter.docker_hub_images import docker_hub_images
    f = make_facts(containers=[make_container("web"), make_container("built", image="myapp:1", image_id=OTHER),
                               make_container("private", image="registry.acme.io/x:1", image_id="sha256:" + "3" * 64)],
                   images={IMG: make_image(), OTHER: make_image(repo_digests=[]),
                           "sha256:" + "3" * 64: make_image(repo_digests=["registry.acme.io/x@sha256:" + "f" * 64])})
    assert docker_hub_images(f["docker"]) == [
        "built: myapp:1 (docker.io/library/myapp (its name; no RepoDigests))",
        "web: docker.io/library/nginx@sha256:%s (docker.io/library/nginx)" % ("a" * 64)]
    assert docker_hub_images(_private(make_facts())["docker"]) == []


def test_content_trust_role_defers_on_docker_hub_hosts():
    import yaml
    from conftest import REPO
    import os
    tasks = yaml.safe_load(open(os.path.join(REPO, "roles", "content_trust", "tasks", "main.yml")))
    text = json.dumps(tasks)
    assert "dockersec.hardening.docker_hub_images" in text and "retired on Docker Hub" in text
    write = [t for t in tasks if "block" in t and any("copy" in json.dumps(b) for b in t["block"])][0]
    assert "content_trust_deferred | length == 0" in write["when"]


def test_content_trust_role_defers_unless_a_notary_v1_registry_is_named():
    # Item 12 counts DCT only for registries in notary_v1_registries: the role must not switch on what item 12
    # then still fails as verifying nothing.
    import yaml
    from conftest import REPO
    import os
    tasks = yaml.safe_load(open(os.path.join(REPO, "roles", "content_trust", "tasks", "main.yml")))
    block = [t for t in tasks if "block" in t and "docker_hub_images" in json.dumps(t)][0]["block"]
    defer = [t for t in block if "notary_v1_registries" in json.dumps(t.get("when", ""))]
    assert len(defer) == 1 and "verifies nothing" in json.dumps(defer[0])


# ---------------------------------------------------------------- own review: 28 and 29

def test_item_28_a_volume_at_run_secrets_below_a_tmpfs_run_is_on_disk():
    c = make_container("app", env_names=["DB_PASSWORD_FILE"], tmpfs=["/run"],
                       mounts=[{"type": "volume", "source": "/var/lib/docker/volumes/s/_data",
                                "destination": "/run/secrets", "rw": True}])
    status, ev = run(secrets.check_28, make_facts(containers=[c]))
    assert status == "fail" and "/var/lib/docker/volumes/s/_data at /run/secrets" in ev
    c["mounts"] = []
    assert run(secrets.check_28, make_facts(containers=[c]))[0] == "pass"
    c["tmpfs"] = ["/run/secrets"]
    c["mounts"] = [{"type": "tmpfs", "source": "", "destination": "/run/secrets", "rw": True}]
    assert run(secrets.check_28, make_facts(containers=[c]))[0] == "pass"


def test_item_29_age_is_the_creation_date_not_the_last_label_update():
    from conftest import make_facts as mf
    swarm = {"is_manager": True, "secrets": [{"name": "db", "created_at": "2025-01-01T00:00:00Z",
                                              "updated_at": "2026-11-20T00:00:00Z"}], "services": []}
    f = mf(swarm=swarm)
    status, ev = run(secrets.check_29, f)
    assert status == "fail" and "secret db: created" in ev
    swarm["secrets"] = [{"name": "db", "created_at": None, "updated_at": "2026-11-20T00:00:00Z"}]
    assert run(secrets.check_29, mf(swarm=swarm))[0] == "error"


def test_history_summary_stays_linear_on_hostile_lines():
    import time
    hostile = ["RUN /bin/sh -c " + "docker " * 5000 + "login", "machine x " * 5000, "--a-" * 20000,
               "curl " * 5000 + "| x", "PASS_" * 20000, "http://aaaaaaaaaa" * 10000, "-----BEGIN " + "A " * 20000,
               "mysql " + "-x " * 20000, "ENV " + "A=1 " * 20000, "RUN /bin/sh -c cat <<EOF\n" + "x\n" * 20000]
    start = time.time()
    for line in hostile:
        _gathered([line])
    assert time.time() - start < 10


def test_x3_init_paths_as_written():
    def x3(entrypoint):
        f = one_image(make_image(history=['/bin/sh -c #(nop)  ENTRYPOINT %s' % entrypoint]), init=False)
        return run(extended.check_x3, f)[0]
    assert x3('["/init"]') == "pass" and x3('["/sbin/tini", "--", "/app"]') == "pass"
    assert x3('["dumb-init", "/app"]') == "pass" and x3('["/sbin/init"]') == "fail" and x3('["/app"]') == "fail"
    assert x3('["' + "a" * 5000 + '!"]') == "fail"


# ---------------------------------------------------------------- own review: the containerd image store

def test_containerd_store_repo_digests_prove_no_pull():
    info = {"DriverStatus": [["driver-type", "io.containerd.snapshotter.v1"]]}
    assert gather_docker.image_store(info) == "containerd"
    assert gather_docker.image_store({"DriverStatus": [["Backing Filesystem", "extfs"]]}) == "graphdriver"
    # docker build -t nginx:1.27 under the containerd store: RepoDigests ["nginx@sha256:<local manifest>"]
    img = make_image(repo_tags=["nginx:1.27"], repo_digests=["nginx@sha256:" + "a" * 64], image_store="containerd")
    status, ev = run(images.check_11, one_image(img, image="nginx:1.27"))
    assert status == "error" and "containerd image store" in ev
    status, ev = run(supply_chain.check_45, one_image(img, image="nginx:1.27"), private_registries=["docker.io"])
    assert status == "manual" and "containerd image store" in ev
    assert run(images.check_11, one_image(dict(img, image_store="graphdriver"), image="nginx:1.27"))[0] == "pass"


def test_item_13_containerd_image_id_is_the_manifest_digest():
    digest = "sha256:" + "d" * 64
    f = make_facts(containers=[make_container("app", image="acme/app:1", image_id=digest)],
                   images={digest: make_image(repo_digests=["acme/app@" + digest], image_store="containerd")})
    scan = {"critical": 0, "created": "2026-11-22T00:00:00Z", "file": "/s/c.json", "image_id": "sha256:" + "9" * 64,
            "repo_digests": ["acme/app@" + digest]}
    scans = {"images": {"acme/app@" + digest: scan}, "errors": []}
    assert run(images.check_13, f, _scan_results=scans)[0] == "pass"


OFFICIAL_IMAGE_LINES = [
    "RUN /bin/sh -c set -x && apt-get update && apt-get install --no-install-recommends -y gnupg1 ca-certificates "
    "&& NGINX_GPGKEY=573BFD6B3D8FBC641079A6ABABF5BD827BD9BF62; NGINX_GPGKEY_PATH=/etc/apt/keyrings/nginx.gpg; "
    "export GNUPGHOME=\"$(mktemp -d)\"; for server in hkp://keyserver.ubuntu.com:80 pgp.mit.edu ; do "
    "gpg1 --keyserver \"$server\" --recv-keys \"$NGINX_GPGKEY\" && break; done # buildkit",
    "ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D",
    "RUN /bin/sh -c pip install git+https://github.com/acme/lib@v1.2 && curl -fsSL https://x/key | gpg --dearmor",
    "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc /bin/sh -c npm ci # buildkit",
    "RUN /bin/sh -c echo 'bearer authentication is configured by default' && passwd -d app && echo password unset",
    "RUN /bin/sh -c ./config.sh --url https://github.com/acme --token \"$RUNNER_TOKEN\" --password-stdin",
    "RUN /bin/sh -c mysql -p -e 'select 1' && mysql --password -e 'select 2'",
]


def test_item_15_official_image_history_has_no_credential():
    img = make_image(history=OFFICIAL_IMAGE_LINES, env_names=["PATH", "GPG_KEY", "NGINX_VERSION"])
    status, ev = run(images.check_15, one_image(img))
    assert status == "pass", ev


# ---------------------------------------------------------------- reviewer B: values with blanks, removals by name

SPACED_RUN = "RUN |1 DB_PASSWORD=correct horse battery staple /bin/sh -c ./setup.sh # buildkit"


def test_a_build_arg_value_with_blanks_never_leaves_the_host():
    # docker build --build-arg "DB_PASSWORD=correct horse battery staple": BuildKit runCommandString
    # joins the build args unquoted, so the value's words must not be read as programs
    img = _gathered([SPACED_RUN, "RUN |2 A=x y B=z /bin/sh -c make", "RUN |1 A=x y z"])
    text = json.dumps(img["history"])
    assert "horse" not in text and "staple" not in text and '"y"' not in text and '"z"' not in text, text
    first, second, third = img["history"]
    assert first["names"] == ["DB_PASSWORD"] and first["programs"] == ["setup.sh"]
    assert second["names"] == ["A", "B"] and second["programs"] == ["make"]
    assert third.get("unparsed") is True and third["programs"] == [] and "installed" not in third
    status, ev = run(images.check_15, one_image(make_image(history=[SPACED_RUN])))
    assert status == "fail" and "DB_PASSWORD" in ev


def test_a_run_layer_whose_build_args_cannot_be_parsed_is_not_judged():
    f = one_image(make_image(history=["RUN |1 A=x apt-get install -y gcc"]))
    assert run(supply_chain.check_42, f)[0] == "manual"
    assert run(images.check_15, f)[0] == "error"


@settings(max_examples=100, deadline=None)
@given(words=st.lists(st.text(alphabet=string.ascii_lowercase + string.digits, min_size=4, max_size=12),
                      min_size=2, max_size=5),
       template=st.sampled_from(["RUN |1 PW=%s /bin/sh -c ./setup.sh # buildkit", "|2 A=%s B=1 /bin/sh -c make",
                                 "RUN |1 PW=%s apt-get install -y gcc", 'RUN |1 PW=%s ["/app", "x"]']))
def test_random_build_arg_values_with_blanks_never_leave(words, template):
    line = template % " ".join(words)
    history = _gathered([line])["history"]

    def values(node):
        # The summary's own keys (instruction, names, ...) are not values from the line.
        if isinstance(node, dict):
            for v in node.values():
                yield from values(v)
        elif isinstance(node, list):
            for v in node:
                yield from values(v)
        elif isinstance(node, str):
            yield node
    shipped = list(values(history))
    for word in words:
        if word not in (template % "").split() and not word.isdigit():
            assert word not in shipped, (line, shipped)


def test_item_15_arg_after_a_value_with_blanks_fails():
    # ARG APP_TITLE="My App" DB_PASSWORD=hunter2: BuildKit dispatchArg records the values unquoted
    img = _gathered(["ARG APP_TITLE=My App DB_PASSWORD=hunter2", 'CMD ["/app"]'])
    assert img["history"][0]["names"] == ["APP_TITLE", "DB_PASSWORD"]
    status, ev = run(images.check_15, one_image(img))
    assert status == "fail" and "DB_PASSWORD" in ev and "hunter2" not in ev


@pytest.mark.parametrize("line", [
    "RUN /bin/sh -c apt-get update && apt-get install -y gcc libc6-dev && pip install uwsgi "
    "&& apt-get autoremove -y && rm -rf /var/lib/apt/lists/* # buildkit",
    "RUN /bin/sh -c apt-get install -y build-essential && make -C /src && apt-get purge -y curl # buildkit"])
def test_item_42_a_removal_of_other_packages_hides_no_install(line):
    status, ev = run(supply_chain.check_42, one_image(make_image(history=[line, 'CMD ["uwsgi"]'])))
    assert status == "fail" and " installed" in ev


def test_item_42_a_toolchain_removed_by_name_in_its_layer_passes():
    line = "RUN /bin/sh -c apk add --virtual .build gcc musl-dev && make && apk del .build # buildkit"
    assert run(supply_chain.check_42, one_image(make_image(history=[line])))[0] == "pass"


# ---------------------------------------------------------------- reviewer B: items 27 and 28, data on disk

@pytest.mark.parametrize("tmpfs", [["/run"], ["/run/secrets"]])
def test_item_28_compose_file_secret_is_a_bind_mount_of_a_host_file(tmpfs):
    # compose `secrets: {db_password: {file: ./db_password.txt}}` without swarm: a bind mount at /run/secrets/<name>
    mount = {"type": "bind", "source": "/srv/app/secrets/db_password.txt", "destination": "/run/secrets/db_password",
             "rw": False}
    c = make_container("app", env_names=["PATH", "POSTGRES_PASSWORD_FILE"], tmpfs=tmpfs, mounts=[mount])
    status, ev = run(secrets.check_28, make_facts(containers=[c]))
    assert status == "fail" and "/srv/app/secrets/db_password.txt at /run/secrets/db_password" in ev
    # no secret-like env name: the mount alone says the container uses a secret
    c = make_container("app", env_names=["PATH"], tmpfs=tmpfs, mounts=[mount])
    assert run(secrets.check_28, make_facts(containers=[c]))[0] == "fail"


def test_item_27_bind_mounted_data_on_a_plain_disk_fails():
    # docker run -v /srv/pgdata:/var/lib/postgresql/data: /srv on the plain root disk, /var/lib/docker on LUKS
    c = make_container("pg", mounts=[{"type": "bind", "source": "/srv/pgdata",
                                      "destination": "/var/lib/postgresql/data", "rw": True}])
    status, ev = run(secrets.check_27, make_facts(containers=[c]))
    assert status == "fail" and "bind mount of pg /srv/pgdata on /dev/vda1" in ev
    vol = make_container("pg", mounts=[{"type": "volume", "name": "pgdata", "bind_device": "/srv/pgdata",
                                        "source": "/var/lib/docker/volumes/pgdata/_data",
                                        "destination": "/var/lib/postgresql/data", "rw": True}])
    status, ev = run(secrets.check_27, make_facts(containers=[vol]))
    assert status == "fail" and "/srv/pgdata on /dev/vda1" in ev


def test_item_27_binds_of_memory_file_systems_and_read_only_files_are_no_data():
    f = make_facts(containers=[make_container("app", mounts=[
        {"type": "bind", "source": "/run/docker.sock", "destination": "/var/run/docker.sock", "rw": True},
        {"type": "bind", "source": "/etc/localtime", "destination": "/etc/localtime", "rw": False}])])
    f["mounts"]["entries"].append({"target": "/run", "source": "tmpfs", "fstype": "tmpfs", "options": "rw"})
    assert run(secrets.check_27, f)[0] == "pass"


# ---------------------------------------------------------------- reviewer B: X.2 shells outside /bin

def _layer_ins(layer, env=None):
    return {"GraphDriver": {"Name": "overlay2", "Data": {"UpperDir": str(layer), "LowerDir": ""}},
            "Config": {"Env": env or []}}


def test_x2_distroless_debug_busybox_shell_is_found(tmp_path):
    from ansible_collections.dockersec.hardening.plugins.module_utils.gather import image_files
    # gcr.io/distroless/base-debian12:debug: /busybox/busybox and /busybox/sh -> /busybox/busybox
    layer = tmp_path / "diff"
    (layer / "busybox").mkdir(parents=True)
    (layer / "busybox" / "busybox").write_bytes(b"\x7fELF")
    (layer / "busybox" / "sh").symlink_to("/busybox/busybox")
    (layer / "bin").mkdir()
    shells, why = image_files.image_shells(_layer_ins(layer))
    assert shells == ["/busybox/sh", "/busybox/busybox"], (shells, why)


def test_x2_a_shell_in_a_directory_of_the_image_path_is_found(tmp_path):
    from ansible_collections.dockersec.hardening.plugins.module_utils.gather import image_files
    layer = tmp_path / "diff"
    (layer / "opt" / "tools").mkdir(parents=True)
    (layer / "opt" / "tools" / "bash").write_bytes(b"\x7fELF")
    assert image_files.image_shells(_layer_ins(layer))[0] == []
    shells, _why = image_files.image_shells(_layer_ins(layer, ["PATH=/opt/tools:/../etc:relative"]))
    assert shells == ["/opt/tools/bash"]


# ---------------------------------------------------------------- reviewer B: X.13/X.4 host paths by another name

@pytest.mark.parametrize("src, shown", [("/bin", "/bin = /usr/bin (below /usr) (read-write)"),
                                        ("/sbin/", "/sbin/ = /usr/sbin (below /usr) (read-write)"),
                                        ("/lib64", "/lib64 = /usr/lib64 (below /usr) (read-write)")])
def test_x13_a_writable_bind_of_a_merged_usr_alias_fails(src, shown):
    # Debian 12+, Ubuntu, Fedora: /bin -> usr/bin, so -v /bin:/b writes /usr/bin
    c = make_container("app", mounts=[{"type": "bind", "source": src, "destination": "/hostbin", "rw": True}])
    status, ev = run(extended.check_x13, make_facts(containers=[c]))
    assert status == "fail" and shown in ev


@pytest.mark.parametrize("src", ["/proc/1/root", "/proc/self/root/", "/proc/1/task/1/root"])
def test_x13_proc_pid_root_is_the_host_root(src):
    c = make_container("app", mounts=[{"type": "bind", "source": src, "destination": "/host", "rw": False}])
    status, ev = run(extended.check_x13, make_facts(containers=[c]))
    assert status == "fail" and "= / " in ev + " "
    c["mounts"][0]["source"] = "/proc/1/root/etc"
    assert run(extended.check_x13, make_facts(containers=[c]))[0] == "fail"


def test_x4_allow_list_and_sources_compare_through_merged_usr():
    c = make_container("app", mounts=[{"type": "bind", "source": "/bin", "destination": "/b", "rw": True}])
    assert run(extended.check_x4, make_facts(containers=[c]), writable_bind_mounts=["/usr/bin"])[0] == "pass"
