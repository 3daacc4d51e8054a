"""A WSGI app that prints fast: `GET /?lines=N` prints N numbered lines, then answers with N.

The local server's app log rotation is tested with it (no framework, empty requirements.txt).
"""

import sys
from urllib.parse import parse_qs

PADDING = "x" * 40  # lines of about 60 bytes


def app(environ, start_response):
    lines = int(parse_qs(environ.get("QUERY_STRING", "")).get("lines", ["0"])[0])
    out = sys.stdout
    for n in range(lines):
        out.write("chatty line %07d %s\n" % (n, PADDING))
    out.flush()
    body = ("printed %d lines" % lines).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
