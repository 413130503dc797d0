"""Greets a customer by e-mail: keyerror_bug.py that checks the address is there."""

from _event import field, respond


def handler(event, context):
    customer = field(event, "customer")
    if not isinstance(customer, dict) or not isinstance(customer.get("email"), str):
        return respond(400, {"message": "customer.email is required"})
    return respond(200, {"to": customer["email"].lower()})
