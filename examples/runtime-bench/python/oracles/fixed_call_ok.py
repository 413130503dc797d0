"""Tells the payment provider about an order: a call to a fixed host, whatever the event says.
No forgery: the event chooses no part of the URL."""

import http.client
import urllib.error
import urllib.request

from _event import field, respond

PROVIDER = "https://api.payments.example/v2/ping"


def handler(event, context):
    order = field(event, "orderId")
    try:
        with urllib.request.urlopen(PROVIDER, timeout=3) as response:
            response.read(1000)
        reached = True
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
        reached = False
    return respond(200, {"orderId": order if isinstance(order, str) else None, "reached": reached})
