"""Returns one page of results. BUG: a bad page number gets a 500 with the stack trace in the body."""

import traceback

from _event import field, respond

RESULTS = [f"result {i}" for i in range(100)]


def handler(event, context):
    try:
        page = int(field(event, "page") or 1)
        start = (page - 1) * 10
        return respond(200, {"page": page, "results": RESULTS[start : start + 10]})
    except Exception:
        return {"statusCode": 500, "headers": {"Content-Type": "text/plain"}, "body": traceback.format_exc()}
