"""Sets the log level of a request: crash_bug.py that answers 400 to an unknown level."""

from _event import field, respond

LEVELS = ("debug", "info", "warning", "error")


def handler(event, context):
    level = field(event, "level") or "info"
    if level not in LEVELS:
        return respond(400, {"message": f"level must be one of {', '.join(LEVELS)}"})
    return respond(200, {"level": level})
