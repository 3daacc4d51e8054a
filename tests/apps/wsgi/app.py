"""A plain WSGI application, no framework."""

import os


def app(environ, start_response):
    body = (
        "Hello from the sample WSGI API (%s) at %s%s"
        % (
            os.environ.get("SAMPLE_GREETING", "no greeting"),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
        )
    ).encode("utf-8")
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
