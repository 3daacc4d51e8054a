"""Self-signed certificates for the HTTPS tests, made with the openssl command."""

import subprocess


def self_signed(folder):
    """(certificate, key, both in one PEM) for 127.0.0.1 and localhost, valid for two days."""
    cert, key, both = folder / "cert.pem", folder / "key.pem", folder / "both.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    both.write_text(cert.read_text() + key.read_text())
    return cert, key, both
