"""Rules on what the user types, checked by the CLI, the notebook handlers and both dialogs: one source.

The dialogs do not copy them: they fetch `dialog_rules()` once from GET
{base_url}/rsconnect_jupyter/rules (jupyter/rules_handler.py) and check with what they get, so a
rule changed here changes everywhere. Each dialog words its own error sentence from the numbers.
"""

from __future__ import annotations

import re
from typing import TypedDict

# An environment variable's name: a letter or _, then letters, digits or _. The pattern is written in
# the syntax Python's re and JavaScript's RegExp share; it must match the whole name.
ENV_NAME_PATTERN = "[A-Za-z_][A-Za-z0-9_]*"
# For `.match()`. \Z, not $: $ also matches before a final newline ("NAME\n").
ENV_NAME = re.compile(ENV_NAME_PATTERN + r"\Z")

# A server's URL: http:// or https://, then no blanks (servers.add_server refuses anything else).
SERVER_URL_PATTERN = "[Hh][Tt][Tt][Pp][Ss]?://\\S+"
SERVER_URL = re.compile(SERVER_URL_PATTERN + r"\Z")

# A content title's length in characters, after stripping spaces (Connect's own limits).
TITLE_MIN_LENGTH = 3
TITLE_MAX_LENGTH = 1024


# A scheduled report: how often (`--every`), and who each run's result is mailed to (schedules.py).
SCHEDULE_EVERY_HELP = "minute, N minutes, hour, N hours, day, weekday, week, month, year"
SCHEDULE_EMAIL_CHOICES = ("nobody", "me", "collaborators", "viewers", "all")


class DialogRules(TypedDict):
    """What GET /rsconnect_jupyter/rules answers (the dialogs anchor the pattern: ^(?:...)$)."""

    env_name_pattern: str
    server_url_pattern: str
    title_min_length: int
    title_max_length: int


def is_env_name(name: str) -> bool:
    return ENV_NAME.match(name) is not None


def is_server_url(url: str) -> bool:
    return SERVER_URL.match(url) is not None


def is_title_length(title: str) -> bool:
    return TITLE_MIN_LENGTH <= len(title) <= TITLE_MAX_LENGTH


def dialog_rules() -> DialogRules:
    return {
        "env_name_pattern": ENV_NAME_PATTERN,
        "server_url_pattern": SERVER_URL_PATTERN,
        "title_min_length": TITLE_MIN_LENGTH,
        "title_max_length": TITLE_MAX_LENGTH,
    }
