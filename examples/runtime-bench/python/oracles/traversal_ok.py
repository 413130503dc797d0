"""Returns a help page shipped beside the code: traversal_bug.py that stays in its directory."""

import os

from _event import field, respond

PAGES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "files")


def handler(event, context):
    name = field(event, "file")
    if not isinstance(name, str) or not name or "\0" in name:
        return respond(400, {"message": "file is required"})
    path = os.path.realpath(os.path.join(PAGES, os.path.basename(name)))
    if os.path.dirname(path) != os.path.realpath(PAGES):
        return respond(404, {"message": "no such page"})
    try:
        with open(path, "rb") as page:
            text = page.read(100_000).decode("utf-8", "replace")
    except (OSError, ValueError):
        return respond(404, {"message": "no such page"})
    return respond(200, {"page": text})
