"""The stdlib Engine API client against a fake engine on a real unix socket.

A stock Docker host has no Python docker SDK: everything the gather asks the engine must work
with the standard library alone, on one keep-alive connection per thread.
"""

import json
import sys
import os
import socketserver
import tempfile
import threading

from http.server import BaseHTTPRequestHandler

import pytest

from ansible_collections.dockersec.hardening.plugins.module_utils.gather import base as gather_base
from ansible_collections.dockersec.hardening.plugins.module_utils.gather import docker as gather_docker


class _Engine(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    allow_reuse_address = True


def _engine(routes, log):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as dockerd answers

        def do_GET(self):  # noqa: N802 (http.server's name)
            log.append((self.path, threading.get_ident(), id(self.connection)))
            body = routes.get(self.path)
            status = 200 if body is not None else 404
            data = json.dumps(body if body is not None else {"message": "No such object: %s" % self.path}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def address_string(self):
            return "unix"

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture()
def engine():
    directory = tempfile.mkdtemp()
    path = os.path.join(directory, "docker.sock")
    routes, log = {}, []
    server = _Engine(path, _engine(routes, log))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield path, routes, log
    server.shutdown()
    server.server_close()
    os.unlink(path)
    os.rmdir(directory)


def _routes(v):
    return {
        "/version": {"ApiVersion": v, "Version": "26.1.5"},
        "/v%s/version" % v: {"ApiVersion": v, "Version": "26.1.5"},
        "/v%s/info" % v: {"ServerVersion": "26.1.5", "Swarm": {"LocalNodeState": "inactive"}},
        "/v%s/containers/json?all=1" % v: [{"Id": "c1"}, {"Id": "gone"}],
        "/v%s/containers/c1/json" % v: {
            "Id": "c1", "Name": "/web", "Image": "sha256:i1",
            "Config": {"Image": "app:1", "Env": ["TOKEN=s3cr3t"]}, "HostConfig": {"Privileged": True},
            "State": {"Status": "running"}, "NetworkSettings": {"Networks": {"bridge": {}}}},
        "/v%s/images/sha256%%3Ai1/json" % v: {"RepoTags": ["app:1"], "Config": {"User": "app"}},
        "/v%s/images/sha256%%3Ai1/history" % v: [{"CreatedBy": "/bin/sh -c #(nop) CMD [\"httpd\"]"}],
        "/v%s/networks" % v: [{"Name": "bridge", "Driver": "bridge", "Options": {}, "Containers": {}}],
        "/v%s/volumes" % v: {"Volumes": [{"Name": "data"}]},
    }


def test_the_gather_reads_the_engine_with_the_standard_library_only(engine):
    path, routes, log = engine
    routes.update(_routes("1.45"))
    client = gather_docker.engine_client("unix://" + path, 5, sdk=None)
    assert client.api_version == "1.45"
    out = gather_docker.collect_docker(lambda: client, 4, set(), {"join_token_rotated_at": None})
    assert out["api_version"] == "1.45" and out["info"]["ServerVersion"] == "26.1.5"
    # "gone" answers 404 between list and inspect: skipped, not an error.
    assert [c["name"] for c in out["containers"]] == ["web"] and out["containers"][0]["privileged"] is True
    assert out["images"]["sha256:i1"]["user"] == "app" and out["volumes_count"] == 1
    assert "s3cr3t" not in json.dumps(out)
    # Every request after the negotiation names the version the engine announced.
    assert all(entry[0].startswith("/v1.45/") for entry in log[1:])


def test_one_keep_alive_connection_per_thread(engine):
    path, routes, log = engine
    routes.update(_routes("1.41"))
    client = gather_docker.EngineClient(path, 5)
    for _attempt in range(20):
        client.info()
    connections = set(entry[2] for entry in log)
    assert len(log) == 21 and len(connections) == 1


def test_a_non_200_answer_names_the_status_and_path(engine):
    path, routes, _log = engine
    routes.update(_routes("1.41"))
    client = gather_docker.EngineClient(path, 5)
    with pytest.raises(gather_docker.EngineAPIError, match=r"^404 Client Error for GET /v1.41/nodes"):
        client.nodes()


def test_a_missing_socket_fails_at_once_without_the_sdk():
    with pytest.raises(FileNotFoundError):
        gather_docker.engine_client("unix:///nonexistent/docker.sock", 2, sdk=None)


@pytest.mark.parametrize("endpoint", ["tcp://10.0.0.5:2376", "ssh://admin@docker1"])
def test_a_remote_endpoint_without_the_sdk_names_what_to_install(endpoint):
    with pytest.raises(gather_base.CollectorError) as err:
        gather_docker.engine_client(endpoint, 2, sdk=None, sdk_error="No module named 'docker'")
    msg = str(err.value)
    assert endpoint in msg and "python3-docker" in msg and "pip install docker" in msg
    assert "No module named 'docker'" in msg


def test_a_remote_endpoint_uses_the_sdk_when_present():
    made = []

    class FakeSDK(object):
        class utils(object):  # noqa: N801 (mirrors docker.utils)
            @staticmethod
            def kwargs_from_env():
                return {"tls": "TLS", "base_url": "ignored"}

        @staticmethod
        def APIClient(**kwargs):  # noqa: N802 (mirrors docker.APIClient)
            made.append(kwargs)
            return "client"

    assert gather_docker.engine_client("ssh://admin@docker1", 7, sdk=FakeSDK) == "client"
    assert made == [{"base_url": "ssh://admin@docker1", "version": "auto", "timeout": 7}]


def test_an_unknown_scheme_is_refused_with_the_forms_that_work():
    with pytest.raises(gather_base.CollectorError, match="unsupported Docker endpoint 'npipe:"):
        gather_docker.engine_client("npipe:////./pipe/docker_engine", 2)


def test_the_gather_imports_the_sdk_only_for_a_remote_endpoint(monkeypatch):
    monkeypatch.setitem(sys.modules, "docker", None)  # as on a stock host: import docker fails
    assert gather_docker.docker_sdk("unix:///var/run/docker.sock") == (None, None)
    sdk, why = gather_docker.docker_sdk("ssh://admin@docker1")
    assert sdk is None and "docker" in why
