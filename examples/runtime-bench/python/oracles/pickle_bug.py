"""Restores a saved cart (base64). BUG: with pickle, which runs what the data says."""

import base64
import pickle

from _event import field, respond


def handler(event, context):
    data = field(event, "data")
    if not isinstance(data, str):
        return respond(400, {"message": "data is required"})
    try:
        cart = pickle.loads(base64.b64decode(data))
    except Exception:
        return respond(400, {"message": "not a saved cart"})
    if not isinstance(cart, dict) or not isinstance(cart.get("items"), list):
        return respond(400, {"message": "not a saved cart"})
    return respond(200, {"items": len(cart["items"])})
