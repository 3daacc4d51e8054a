"""Mailing a report after a run: plain SMTP to the server given by `--smtp HOST:PORT`.

Without --smtp, mail is off: the server says so once in its log (the first time a report would be
mailed) and goes on; the run itself is not affected.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Sequence
from email.message import EmailMessage

log = logging.getLogger("localconnect.mail")

SENDER = "rsconnect-local@localhost"


def parse_smtp(text: str | None) -> tuple[str, int] | None:
    """`HOST:PORT` as (host, port); ValueError (one sentence) when it is not that."""
    if not text:
        return None
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("--smtp takes HOST:PORT, such as 127.0.0.1:25; %r is not that." % text)
    return host.strip("[]"), int(port)


class Mailer:
    def __init__(self, smtp: str | None) -> None:
        self.server = parse_smtp(smtp)
        self._said_off = False
        self._lock = threading.Lock()

    @property
    def on(self) -> bool:
        return self.server is not None

    def say_off_once(self) -> None:
        with self._lock:
            if self._said_off:
                return
            self._said_off = True
        log.warning("Mail is off: reports are not mailed. Start the server with --smtp HOST:PORT to mail them.")

    def send(self, recipients: Sequence[str], subject: str, body: str) -> str:
        """Send one message; returns what happened, as a line for the run's log. Never raises."""
        if self.server is None:
            self.say_off_once()
            return "Mail is off on this server (no --smtp): the report was not mailed."
        if not recipients:
            return "Nobody to mail the report to."
        message = EmailMessage()
        message["From"] = SENDER
        message["To"] = ", ".join(recipients)
        message["Subject"] = subject
        message.set_content(body)
        host, port = self.server
        try:
            with smtplib.SMTP(host, port, timeout=30) as smtp:
                smtp.send_message(message, from_addr=SENDER, to_addrs=list(recipients))
        except (OSError, smtplib.SMTPException) as e:
            log.warning("could not mail a report through %s:%d: %s", host, port, e)
            return "The report could not be mailed through %s:%d: %s" % (host, port, e)
        return "Mailed the report to %s." % ", ".join(recipients)
