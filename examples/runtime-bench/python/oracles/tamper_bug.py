"""Renames an order. BUG: updates the order the body names without checking that it is the
caller's (an insecure direct object reference: any customer can rename any order)."""

import os

import boto3

from _event import field, respond

TABLE = boto3.resource("dynamodb").Table(os.environ.get("SHOP_TABLE", "orders-table"))


def handler(event, context):
    caller = (((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}).get("sub")
    order_id, note = field(event, "orderId"), field(event, "note")
    if not caller:
        return respond(401, {"message": "sign in"})
    if not isinstance(order_id, str) or not isinstance(note, str) or not order_id or len(note) > 200:
        return respond(400, {"message": "orderId and note (at most 200 characters) are required"})
    TABLE.update_item(Key={"pk": order_id}, UpdateExpression="SET note = :n",
                      ExpressionAttributeValues={":n": note})
    return respond(200, {"orderId": order_id})
