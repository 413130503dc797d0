"""Discontinues the products a filter selects. BUG: a filter value that is an object is taken as
an operator (``{"$ne": "x"}``, as a Mongo-style admin UI sends), so a client can widen the filter
from the one product it names to every product (NoSQL operator injection)."""

import os

import boto3

from _event import field, respond

TABLE = boto3.resource("dynamodb").Table(os.environ.get("PRODUCTS_TABLE", "products"))
OPERATORS = {"$eq": "EQ", "$ne": "NE", "$gt": "GT", "$lt": "LT", "$begins": "BEGINS_WITH"}


def _condition(value):
    if isinstance(value, dict) and len(value) == 1:
        ((operator, operand),) = value.items()
        if operator in OPERATORS:
            return {"ComparisonOperator": OPERATORS[operator], "AttributeValueList": [operand]}
    return {"ComparisonOperator": "EQ", "AttributeValueList": [value]}


def handler(event, context):
    wanted = field(event, "filter")
    if not isinstance(wanted, dict) or not wanted:
        return respond(400, {"message": "filter is required"})
    matched = TABLE.scan(ScanFilter={name: _condition(value) for name, value in wanted.items()})
    for item in matched.get("Items", []):
        TABLE.update_item(Key={"sku": item["sku"]}, UpdateExpression="SET discontinued = :t",
                          ExpressionAttributeValues={":t": True})
    return respond(200, {"discontinued": len(matched.get("Items", []))})
