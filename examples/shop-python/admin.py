"""Customer export for the marketing agency (``GET /export`` on a function URL).

Query string: ``since`` (YYYY-MM-DD, customers who signed up on or after that day) and
``format`` (``csv``, the default, or ``json``). Each customer comes with their number of orders.
"""

import csv
import io
import json
import os
import time
import traceback
from collections import Counter
from datetime import date
from decimal import Decimal

import boto3
from boto3.dynamodb.conditions import Attr

dynamodb = boto3.resource("dynamodb")

COLUMNS = ["customerId", "email", "name", "phone", "marketingOptIn", "createdAt", "orders"]
CACHE_TTL_S = 300

# The agency pulls the same export several times in a row: keep it for a few minutes.
_cache = {}


def _scan(table_name, **kwargs):
    table = dynamodb.Table(table_name)
    while True:
        page = table.scan(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _customers(since):
    orders = Counter(
        order.get("customerId")
        for order in _scan(os.environ["ORDERS_TABLE"], ProjectionExpression="customerId")
    )
    kwargs = {}
    if since is not None:
        kwargs["FilterExpression"] = Attr("createdAt").gte(since.isoformat())
    rows = []
    for customer in _scan(os.environ["CUSTOMERS_TABLE"], **kwargs):
        rows.append(
            {
                "customerId": customer["pk"],
                "email": customer.get("email", ""),
                "name": customer.get("name", ""),
                "phone": customer.get("phone", ""),
                "marketingOptIn": bool(customer.get("marketingOptIn", False)),
                "createdAt": customer.get("createdAt", ""),
                "orders": orders.get(customer["pk"], 0),
            }
        )
    return sorted(rows, key=lambda row: row["createdAt"])


def _render(rows, fmt):
    if fmt == "json":
        return "application/json", json.dumps(rows, default=lambda v: int(v) if isinstance(v, Decimal) else str(v))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return "text/csv", out.getvalue()


def export(event, context):
    try:
        params = event.get("queryStringParameters") or {}
        fmt = params.get("format") or "csv"
        if fmt not in ("csv", "json"):
            return {"statusCode": 400, "body": "format must be csv or json"}
        since = None
        if params.get("since"):
            try:
                since = date.fromisoformat(params["since"])
            except ValueError:
                return {"statusCode": 400, "body": "since must be a date (YYYY-MM-DD)"}

        cached = _cache.get((since, fmt))
        if cached is None or cached[0] < time.time() - CACHE_TTL_S:
            cached = (time.time(), _render(_customers(since), fmt))
            _cache[(since, fmt)] = cached
        content_type, body = cached[1]
        return {
            "statusCode": 200,
            "headers": {
                "Content-Type": content_type,
                "Content-Disposition": f'attachment; filename="customers.{fmt}"',
            },
            "body": body,
        }
    except Exception:
        # Temporary endpoint: show the whole error so the agency can send it to us.
        return {"statusCode": 500, "headers": {"Content-Type": "text/plain"}, "body": traceback.format_exc()}
