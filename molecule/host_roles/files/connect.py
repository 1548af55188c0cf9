"""From each source address given, GET http://192.0.2.1:80/; print {source: served|refused}."""
import json
import socket
import sys

out = {}
for src in sys.argv[1:]:
    s = socket.socket()
    s.settimeout(3)
    s.bind((src, 0))
    try:
        s.connect(("192.0.2.1", 80))
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        out[src] = "served" if s.recv(12).startswith(b"HTTP/1.") else "refused"
    except OSError:
        out[src] = "refused"
    finally:
        s.close()
print(json.dumps(out))
