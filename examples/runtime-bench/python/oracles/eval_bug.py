"""Reads a list of SKUs written as a Python literal. BUG: with eval, which runs any expression."""

from _event import field, respond


def handler(event, context):
    data = field(event, "data")
    if not isinstance(data, str) or len(data) > 10_000:
        return respond(400, {"message": "data is required"})
    try:
        skus = eval(data)
    except Exception:
        return respond(400, {"message": "not a list of SKUs"})
    if not isinstance(skus, (list, tuple)):
        return respond(400, {"message": "not a list of SKUs"})
    return respond(200, {"skus": len(skus)})
