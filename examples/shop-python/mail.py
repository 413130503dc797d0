"""Sends the order e-mails.

Triggered by the e-mail queue, which is subscribed to the order-events SNS topic: each SQS record's
body is an SNS notification whose ``Message`` is the order event (model/schemas/order-event.json).
The customer's address comes from the customers table; paid orders get their invoice attached
when the fulfilment service has already written it.
"""

import json
import logging
import os
import smtplib
from email.message import EmailMessage

import boto3
from botocore.exceptions import ClientError

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

dynamodb = boto3.resource("dynamodb")
s3 = boto3.client("s3")

SUBJECTS = {
    "placed": "We have your order {orderId}",
    "paid": "Payment received for order {orderId}",
    "cancelled": "Your order {orderId} was cancelled",
}


def _customer(customer_id):
    table = dynamodb.Table(os.environ["CUSTOMERS_TABLE"])
    return table.get_item(Key={"pk": customer_id}).get("Item")


def _invoice(order_id):
    """The invoice PDF of an order, or None when it has not been written yet."""
    bucket = os.environ.get("INVOICES_BUCKET")
    if not bucket:
        return None
    try:
        obj = s3.get_object(Bucket=bucket, Key=f"invoices/{order_id}.pdf")
    except ClientError as error:
        if error.response["Error"]["Code"] in ("NoSuchKey", "404"):
            return None
        raise
    return obj["Body"].read()


def _money(cents, currency):
    return f"{cents / 100:,.2f} {currency}"


def _compose(order, customer, invoice):
    currency = order.get("currency", "EUR")
    lines = [
        f"{line['quantity']} x {line['sku']}  {_money(line['unitPriceCents'] * line['quantity'], currency)}"
        for line in order["items"]
    ]
    total = sum(line["unitPriceCents"] * line["quantity"] for line in order["items"])
    message = EmailMessage()
    message["From"] = os.environ.get("MAIL_FROM", "orders@shop.example")
    message["To"] = customer["email"]
    message["Subject"] = SUBJECTS[order["status"]].format(orderId=order["orderId"])
    message.set_content(
        f"Hello {customer.get('displayName') or customer.get('name') or ''},\n\n"
        + "\n".join(lines)
        + f"\n\nTotal: {_money(total, currency)}\n\nThank you for shopping with us.\n"
    )
    if invoice is not None:
        message.add_attachment(
            invoice, maintype="application", subtype="pdf", filename=f"invoice-{order['orderId']}.pdf"
        )
    return message


def _send(message):
    host = os.environ.get("SMTP_HOST")
    if not host:
        logger.info("SMTP_HOST is not set; not sending %r to %s", message["Subject"], message["To"])
        return
    with smtplib.SMTP(host, int(os.environ.get("SMTP_PORT", "25")), timeout=10) as smtp:
        smtp.send_message(message)


def handler(event, context):
    logger.info("received %s", json.dumps(event))
    sent = 0
    for record in event["Records"]:
        notification = json.loads(record["body"])
        order = json.loads(notification["Message"])
        if order.get("status") not in SUBJECTS:
            logger.info("no e-mail for status %r of order %s", order.get("status"), order.get("orderId"))
            continue
        customer = _customer(order["customerId"])
        if customer is None or not customer.get("email"):
            logger.warning("order %s: customer %s has no e-mail address", order["orderId"], order["customerId"])
            continue
        invoice = _invoice(order["orderId"]) if order["status"] == "paid" else None
        _send(_compose(order, customer, invoice))
        sent += 1
    return {"sent": sent}
