"""Greets a customer by e-mail. BUG: a customer without an e-mail address raises KeyError."""

from _event import field, respond


def handler(event, context):
    customer = field(event, "customer")
    if not isinstance(customer, dict):
        return respond(400, {"message": "customer is required"})
    return respond(200, {"to": customer["email"].lower()})
