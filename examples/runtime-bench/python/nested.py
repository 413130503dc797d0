"""Bulk price update with a bug behind nested conditions (benchmark of coverage feedback).

The bug needs ``mode == "bulk"``, more than three items, and a third item whose SKU starts with
``Z`` but is not one of the legacy SKUs: a fuzzer that sees which branches it reached gets there
step by step; one that does not is unlikely to. ``nested_fixed.py`` is the same without the bug.
"""

import base64
import json

# Z-series SKUs are the old catalogue's; their prices come from this table.
LEGACY_PRICES = {"ZX-100": 1999, "ZX-250": 2499}
PRICE_CAP_CENTS = 1_000_000


def _response(status, body):
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def _body(event):
    if not isinstance(event, dict):
        return None
    raw = event.get("body")
    if not isinstance(raw, str):
        return None
    try:
        if event.get("isBase64Encoded"):
            raw = base64.b64decode(raw).decode("utf-8")
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _price(item):
    price = item.get("priceCents")
    if isinstance(price, int) and not isinstance(price, bool) and 0 <= price <= PRICE_CAP_CENTS:
        return price
    return None


def handler(event, context):
    body = _body(event)
    if not isinstance(body, dict):
        return _response(400, {"message": "body must be a JSON object"})
    items = body.get("items")
    if not isinstance(items, list):
        return _response(400, {"message": "items must be a list"})

    updated = 0
    if body.get("mode") == "bulk":
        if len(items) > 3:
            reference = items[2]
            if isinstance(reference, dict):
                sku = reference.get("sku")
                if isinstance(sku, str):
                    if sku.startswith("Z"):
                        # The third line of a bulk file is the reference line; legacy ones are repriced.
                        reference["priceCents"] = LEGACY_PRICES[sku]
        for item in items:
            if isinstance(item, dict) and _price(item) is not None:
                updated += 1
    else:
        item = items[0] if items and isinstance(items[0], dict) else {}
        updated = 1 if _price(item) is not None else 0
    return _response(200, {"updated": updated})
