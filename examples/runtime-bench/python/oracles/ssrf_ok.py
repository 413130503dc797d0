"""Fetches a picture from a URL: ssrf_bug.py with an allow-list of hosts."""

import http.client
import urllib.error
import urllib.parse
import urllib.request

from _event import field, respond

ALLOWED_HOSTS = {"images.shop.example", "cdn.shop.example"}


def handler(event, context):
    url = field(event, "url")
    if not isinstance(url, str):
        return respond(400, {"message": "url must be an https URL"})
    try:
        parts = urllib.parse.urlsplit(url)
        allowed = parts.scheme == "https" and parts.hostname in ALLOWED_HOSTS and parts.port in (None, 443)
    except ValueError:
        return respond(400, {"message": "url must be an https URL"})
    if not allowed:
        return respond(403, {"message": "pictures come from our image hosts only"})
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            size = len(response.read(1_000_000))
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
        return respond(422, {"message": "could not fetch the picture"})
    return respond(200, {"bytes": size})
