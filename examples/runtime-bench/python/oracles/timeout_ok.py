"""Counts the pages of the catalogue: timeout_bug.py that accepts page sizes 1 to 100 only."""

from _event import field, respond

PRODUCTS = 240


def handler(event, context):
    try:
        size = int(field(event, "pageSize") or 20)
    except (TypeError, ValueError):
        return respond(400, {"message": "pageSize must be a number"})
    if not 1 <= size <= 100:
        return respond(400, {"message": "pageSize must be 1 to 100"})
    pages, left = 0, PRODUCTS
    while left > 0:
        left -= size
        pages += 1
    return respond(200, {"pages": pages})
