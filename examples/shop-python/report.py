"""Nightly sales report (EventBridge schedule, 02:00 UTC).

Writes one CSV line per order created on the previous day to the invoices bucket, under
``reports/sales/YYYY/MM/DD.csv``, for the finance team's spreadsheet.
"""

import csv
import io
import json
import logging
import os
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import boto3
from boto3.dynamodb.conditions import Attr

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

dynamodb = boto3.resource("dynamodb")
s3 = boto3.client("s3")

COLUMNS = ["orderId", "createdAt", "customerId", "status", "lines", "units", "totalCents", "currency"]


def _report_day(event):
    """The day before the scheduled time (the event's ``time``), in UTC."""
    when = event.get("time") if isinstance(event, dict) else None
    try:
        scheduled = datetime.fromisoformat(str(when).replace("Z", "+00:00"))
    except ValueError:
        scheduled = datetime.now(timezone.utc)
    return scheduled.date() - timedelta(days=1)


def _orders_created_on(day: date):
    table = dynamodb.Table(os.environ["ORDERS_TABLE"])
    kwargs = {"FilterExpression": Attr("createdAt").begins_with(day.isoformat())}
    while True:
        page = table.scan(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _row(order):
    items = order.get("items") or []
    units = sum(int(line.get("quantity", 0)) for line in items)
    total = order.get("totalCents")
    if total is None:
        total = sum(int(line.get("quantity", 0)) * int(line.get("unitPriceCents", 0)) for line in items)
    return {
        "orderId": order["pk"],
        "createdAt": order.get("createdAt", ""),
        "customerId": order.get("customerId", ""),
        "status": order.get("status", ""),
        "lines": len(items),
        "units": units,
        "totalCents": int(total),
        "currency": order.get("currency", "EUR"),
    }


def handler(event, context):
    day = _report_day(event)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    count, revenue = 0, Decimal(0)
    for order in _orders_created_on(day):
        row = _row(order)
        writer.writerow(row)
        count += 1
        if row["status"] != "cancelled":
            revenue += row["totalCents"]

    bucket = os.environ["INVOICES_BUCKET"]
    key = f"reports/sales/{day:%Y/%m/%d}.csv"
    s3.put_object(Bucket=bucket, Key=key, Body=out.getvalue().encode("utf-8"), ContentType="text/csv")
    summary = {"day": day.isoformat(), "orders": count, "revenueCents": int(revenue), "key": key}
    logger.info("sales report %s", json.dumps(summary))
    return summary
