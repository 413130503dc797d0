"""Renames an order: only the caller's own (the update's condition names the owner)."""

import os

import boto3
from botocore.exceptions import ClientError

from _event import field, respond

TABLE = boto3.resource("dynamodb").Table(os.environ.get("SHOP_TABLE", "orders-table"))


def handler(event, context):
    caller = (((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}).get("sub")
    order_id, note = field(event, "orderId"), field(event, "note")
    if not caller:
        return respond(401, {"message": "sign in"})
    if not isinstance(order_id, str) or not isinstance(note, str) or not order_id or len(note) > 200:
        return respond(400, {"message": "orderId and note (at most 200 characters) are required"})
    try:
        TABLE.update_item(Key={"pk": order_id}, UpdateExpression="SET note = :n",
                          ConditionExpression="customerId = :c",
                          ExpressionAttributeValues={":n": note, ":c": caller})
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return respond(404, {"message": "no such order"})
        raise
    return respond(200, {"orderId": order_id})
