"""Shop API functions written in Python.

- ``list_products``: ``GET /products`` on the shop's REST API. The merchandising team ships one
  catalogue file per category beside the code (which products, in which order, how they are
  named); live prices and stock come from the products table.
- ``issue_upload_url``: ``POST /uploads`` on the upload API. Issues a presigned URL for a review
  photo, or imports the photo straight from a URL the customer gives.
"""

import base64
import http.client
import json
import logging
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from decimal import Decimal

import boto3

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

# Clients are created once per execution environment and reused across invocations.
dynamodb = boto3.resource("dynamodb")
s3 = boto3.client("s3")

CATALOGUE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "catalogue")
DEFAULT_CATEGORY = "featured"
PAGE_SIZE = 12
SORTS = ("name", "price", "-price", "newest")

UPLOAD_TYPES = {"image/jpeg", "image/png", "image/webp"}
FILE_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
ORDER_ID = re.compile(r"^ord_[a-z0-9]{16}$")
UPLOAD_URL_TTL_S = 900
MAX_IMPORT_BYTES = 10 * 1024 * 1024
IMPORT_TIMEOUT_S = 5


def _response(status, body, headers=None):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": json.dumps(body, default=_json_default),
    }


def _json_default(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _json_body(event):
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8")
    return json.loads(body)


# --- GET /products -----------------------------------------------------------------------------


def _load_category(category):
    """The catalogue file of a category, or None when there is none."""
    path = os.path.join(CATALOGUE_DIR, f"{category}.json")
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as catalogue:
        return json.load(catalogue)


def _live_details(sku):
    """Price and stock of a product, as the products table has them now."""
    item = dynamodb.Table(os.environ["PRODUCTS_TABLE"]).get_item(Key={"pk": sku}).get("Item")
    if item is None or not item.get("active", True):
        return {"available": False, "priceCents": None, "currency": None}
    return {
        "available": item.get("stock", 0) > 0,
        "priceCents": item.get("priceCents"),
        "currency": item.get("currency", "EUR"),
    }


def _sort(products, sort):
    if sort == "newest":
        return sorted(products, key=lambda p: p.get("added", ""), reverse=True)
    if sort in ("price", "-price"):
        priced = [p for p in products if p["priceCents"] is not None]
        unpriced = [p for p in products if p["priceCents"] is None]
        return sorted(priced, key=lambda p: p["priceCents"], reverse=sort == "-price") + unpriced
    return sorted(products, key=lambda p: p["name"].lower())


def list_products(event, context):
    params = event.get("queryStringParameters") or {}
    category = params.get("category") or DEFAULT_CATEGORY
    search = (params.get("q") or "").strip().lower()
    sort = params.get("sort") or "name"
    if sort not in SORTS:
        return _response(400, {"message": f"sort must be one of {', '.join(SORTS)}"})
    try:
        page = int(params.get("page") or "1")
    except ValueError:
        return _response(400, {"message": "page must be a number"})
    if page < 1:
        return _response(400, {"message": "page starts at 1"})

    catalogue = _load_category(category)
    if catalogue is None:
        return _response(404, {"message": "no such category"})

    products = [
        {**entry, **_live_details(entry["sku"])}
        for entry in catalogue.get("products", [])
        if not search or search in entry["name"].lower()
    ]
    products = _sort(products, sort)
    start = (page - 1) * PAGE_SIZE
    return _response(
        200,
        {
            "category": {k: catalogue.get(k) for k in ("id", "title", "description")},
            "page": page,
            "pageSize": PAGE_SIZE,
            "total": len(products),
            "products": products[start : start + PAGE_SIZE],
        },
        headers={"Cache-Control": "public, max-age=60"},
    )


# --- POST /uploads -----------------------------------------------------------------------------


def _fetch_picture(url):
    """Downloads a picture the customer points us at (e.g. one already on their photo site)."""
    request = urllib.request.Request(url, headers={"User-Agent": "shop-review-import/1.2"})
    with urllib.request.urlopen(request, timeout=IMPORT_TIMEOUT_S) as response:
        data = response.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise ValueError("picture too large")
    return data


def issue_upload_url(event, context):
    try:
        body = _json_body(event)
    except (ValueError, RecursionError):
        return _response(400, {"message": "body must be JSON"})
    if not isinstance(body, dict):
        return _response(400, {"message": "body must be a JSON object"})

    file_name = body.get("fileName")
    content_type = body.get("contentType")
    order_id = body.get("orderId")
    if not isinstance(file_name, str) or not FILE_NAME.match(file_name):
        return _response(400, {"message": "fileName must be 1 to 100 of A-Z a-z 0-9 . _ -"})
    if not isinstance(content_type, str) or content_type not in UPLOAD_TYPES:
        return _response(400, {"message": "contentType must be image/jpeg, image/png or image/webp"})
    if not isinstance(order_id, str) or not ORDER_ID.match(order_id):
        return _response(400, {"message": "orderId is not an order id"})

    bucket = os.environ["UPLOADS_BUCKET"]
    key = f"reviews/{order_id}/{uuid.uuid4().hex}-{file_name}"

    source_url = body.get("sourceUrl")
    if source_url is not None:
        if not isinstance(source_url, str) or urllib.parse.urlsplit(source_url).scheme not in ("http", "https"):
            return _response(400, {"message": "sourceUrl must be an http(s) URL"})
        try:
            picture = _fetch_picture(source_url)
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
            logger.warning("could not import %s: %s", source_url, error)
            return _response(422, {"message": "could not download the picture"})
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=picture,
            ContentType=content_type,
            Metadata={"order-id": order_id, "imported": "true"},
        )
        logger.info("imported %d bytes into s3://%s/%s", len(picture), bucket, key)
        return _response(201, {"key": key, "size": len(picture)})

    upload_url = s3.generate_presigned_url(
        "put_object",
        Params={"Bucket": bucket, "Key": key, "ContentType": content_type},
        ExpiresIn=UPLOAD_URL_TTL_S,
    )
    return _response(200, {"uploadUrl": upload_url, "key": key, "expiresIn": UPLOAD_URL_TTL_S})
