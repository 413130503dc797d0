"""Returns a help page shipped beside the code. BUG: the file name may climb out (path traversal)."""

import os

from _event import field, respond

PAGES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "files")


def handler(event, context):
    name = field(event, "file")
    if not isinstance(name, str) or not name:
        return respond(400, {"message": "file is required"})
    try:
        with open(os.path.join(PAGES, name), "rb") as page:
            text = page.read(100_000).decode("utf-8", "replace")
    except (OSError, ValueError):
        return respond(404, {"message": "no such page"})
    return respond(200, {"page": text})
