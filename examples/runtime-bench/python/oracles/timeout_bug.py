"""Counts the pages of the catalogue. BUG: a page size of 0 or less never ends (timeout)."""

from _event import field, respond

PRODUCTS = 240


def handler(event, context):
    try:
        size = int(field(event, "pageSize") or 20)
    except (TypeError, ValueError):
        return respond(400, {"message": "pageSize must be a number"})
    pages, left = 0, PRODUCTS
    while left > 0:
        left -= size
        pages += 1
    return respond(200, {"pages": pages})
