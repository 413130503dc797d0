"""Where the oracle fixtures find their one input field, whatever kind of event they get.

In order: a JSON body (API Gateway REST or HTTP API, function URL; base64 or not), the query
string, the first SQS record's body (a JSON object's field, or else the whole body), the event
itself (direct invocation).
"""

import base64
import json


def _json(text):
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def field(event, name):
    if not isinstance(event, dict):
        return None
    body = event.get("body")
    if isinstance(body, str) and body:
        if event.get("isBase64Encoded"):
            try:
                body = base64.b64decode(body).decode("utf-8")
            except ValueError:
                body = ""
        doc = _json(body)
        if isinstance(doc, dict) and name in doc:
            return doc[name]
    query = event.get("queryStringParameters")
    if isinstance(query, dict) and name in query:
        return query[name]
    records = event.get("Records")
    if isinstance(records, list) and records and isinstance(records[0], dict):
        body = records[0].get("body")
        if isinstance(body, str):
            doc = _json(body)
            return doc.get(name) if isinstance(doc, dict) else body
    return event.get(name)


def respond(status, body):
    """An API Gateway proxy response with a JSON body."""
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}
