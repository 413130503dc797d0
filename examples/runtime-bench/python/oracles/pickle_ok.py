"""Restores a saved cart (base64): pickle_bug.py with JSON instead of pickle."""

import base64
import binascii
import json

from _event import field, respond


def handler(event, context):
    data = field(event, "data")
    if not isinstance(data, str):
        return respond(400, {"message": "data is required"})
    try:
        cart = json.loads(base64.b64decode(data))
    except (binascii.Error, ValueError, RecursionError):
        return respond(400, {"message": "not a saved cart"})
    if not isinstance(cart, dict) or not isinstance(cart.get("items"), list):
        return respond(400, {"message": "not a saved cart"})
    return respond(200, {"items": len(cart["items"])})
