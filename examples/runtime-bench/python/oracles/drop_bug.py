"""An admin action that drops the events table. BUG: any request may send it. Otherwise it
says whether the table still has its stream (the guard must recreate a dropped table as the
model declares it)."""

import os

import boto3

from _event import field, respond

DYNAMODB = boto3.client("dynamodb")
TABLE = os.environ.get("EVENTS_TABLE", "events-table")


def handler(event, context):
    if field(event, "action") == "drop":
        DYNAMODB.delete_table(TableName=TABLE)
        return respond(200, {"dropped": TABLE})
    table = DYNAMODB.describe_table(TableName=TABLE)["Table"]
    stream = (table.get("StreamSpecification") or {}).get("StreamEnabled", False)
    return respond(200, {"stream": stream})
