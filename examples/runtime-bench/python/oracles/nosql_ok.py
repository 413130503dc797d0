"""Discontinues the product a filter names: only by its key, and only a string key (an object
is refused, not read as an operator)."""

import os

import boto3
from botocore.exceptions import ClientError

from _event import field, respond

TABLE = boto3.resource("dynamodb").Table(os.environ.get("PRODUCTS_TABLE", "products"))


def handler(event, context):
    wanted = field(event, "filter")
    sku = wanted.get("sku") if isinstance(wanted, dict) else None
    if not isinstance(sku, str) or not sku:
        return respond(400, {"message": "filter.sku must be a string"})
    try:
        TABLE.update_item(Key={"sku": sku}, UpdateExpression="SET discontinued = :t",
                          ConditionExpression="attribute_exists(sku)",
                          ExpressionAttributeValues={":t": True})
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return respond(404, {"message": "no such product"})
        raise
    return respond(200, {"discontinued": 1})
