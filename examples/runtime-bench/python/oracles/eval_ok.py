"""Reads a list of SKUs written as a Python literal: eval_bug.py with ast.literal_eval."""

import ast

from _event import field, respond


def handler(event, context):
    data = field(event, "data")
    if not isinstance(data, str) or len(data) > 10_000:
        return respond(400, {"message": "data is required"})
    try:
        skus = ast.literal_eval(data)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return respond(400, {"message": "not a list of SKUs"})
    if not isinstance(skus, (list, tuple)):
        return respond(400, {"message": "not a list of SKUs"})
    return respond(200, {"skus": len(skus)})
