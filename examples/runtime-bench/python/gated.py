"""Partner price quote with a bug behind a conjunction of rare values (benchmark of coverage
feedback, BENCHMARKS.md).

The bug needs ``channel == "partner"``, ``tier == "gold"`` and ``currency == "CHF"`` in one body.
Each is one of the handler's literals, which the generator proposes for a string field now and
then, so an event holds any one of them often and all three almost never: a fuzzer that keeps
the event that got past one condition and mutates it gets there step by step; one that sends
independent events is unlikely to. ``nested.py`` is the opposite case: a shallow bug that
independent events find at once.
"""

import base64
import json

# Gold partners are quoted in their own currency; the table lacks the Swiss franc.
GOLD_RATES = {"EUR": 0.92, "GBP": 0.79, "USD": 1.0}
LIST_PRICE_CENTS = 4_900


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


def handler(event, context):
    body = _body(event)
    if not isinstance(body, dict):
        return _response(400, {"message": "body must be a JSON object"})
    price = LIST_PRICE_CENTS
    if body.get("channel") == "partner":
        price = price * 80 // 100
        if body.get("tier") == "gold":
            price = price * 90 // 100
            if body.get("currency") == "CHF":
                # BUG: every other currency of a gold quote is in the table.
                price = round(price * GOLD_RATES[body["currency"]])
    return _response(200, {"priceCents": price})
