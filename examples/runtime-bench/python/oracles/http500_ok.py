"""Returns one page of results: http500_bug.py that answers 400 to a bad page number."""

import re

from _event import field, respond

RESULTS = [f"result {i}" for i in range(100)]


def handler(event, context):
    value = field(event, "page") or 1
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not re.fullmatch(r"[1-9][0-9]{0,3}", str(value)):
        return respond(400, {"message": "page must be a number from 1 to 9999"})
    page = int(value)
    start = (page - 1) * 10
    return respond(200, {"page": page, "results": RESULTS[start : start + 10]})
