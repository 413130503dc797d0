"""Sets the log level of a request. BUG: a helper taken from a CLI script exits the process (crash)."""

import sys

from _event import field, respond

LEVELS = ("debug", "info", "warning", "error")


def parse_level(text):
    if text not in LEVELS:
        sys.exit(f"unknown log level {text!r}")
    return text


def handler(event, context):
    level = parse_level(field(event, "level") or "info")
    return respond(200, {"level": level})
