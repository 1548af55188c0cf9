# -*- coding: utf-8 -*-
# Copyright (c) dockersec.hardening contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Docker Engine API on a unix socket that dies in the middle of a gather, deterministically.

It answers what a gather asks first (``/version``, ``/info``, the container list: one running
container), then drops the connection without an answer at the first container inspect, the way
a dockerd that is stopped or crashes during an audit does. A real dockerd stopped mid-run would
make the test depend on timing; this makes the same failure happen at the same step every run.

Usage: python3 dying_engine.py SOCKET_PATH
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import sys

try:
    from http.server import BaseHTTPRequestHandler
    from socketserver import ThreadingUnixStreamServer
except ImportError:  # Python 2: not supported, the instance runs Python 3
    sys.exit("Python 3 required")

VERSION = {"ApiVersion": "1.41", "MinAPIVersion": "1.12", "Version": "20.10.24", "Os": "linux", "Arch": "amd64"}
INFO = {"ServerVersion": "20.10.24", "Driver": "vfs", "DockerRootDir": "/var/lib/docker", "SecurityOptions": [],
        "LoggingDriver": "json-file", "CgroupVersion": "1", "LiveRestoreEnabled": False, "Containers": 1,
        "ContainersRunning": 1, "Images": 1, "OperatingSystem": "Debian", "KernelVersion": "6",
        "Swarm": {"LocalNodeState": "inactive"}}
CONTAINERS = [{"Id": "0123456789ab" * 4 + "0123456789abcdef", "Names": ["/doomed"], "State": "running"}]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # the client address of a unix socket is empty
        pass

    def address_string(self):
        return "unix"

    def _send(self, doc):
        body = json.dumps(doc).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path.endswith("/version"):
            return self._send(VERSION)
        if path.endswith("/info"):
            return self._send(INFO)
        if path.endswith("/containers/json"):
            return self._send(CONTAINERS)
        # Everything after the list: the engine is gone. No status line, connection closed.
        self.close_connection = True
        return None

    do_HEAD = do_GET


def main():
    path = sys.argv[1]
    if os.path.exists(path):
        os.unlink(path)
    # Threads: the SDK keeps its first connection open while the inspects open another one.
    server = ThreadingUnixStreamServer(path, Handler)
    server.daemon_threads = True
    os.chmod(path, 0o660)
    server.serve_forever()


if __name__ == "__main__":
    main()
