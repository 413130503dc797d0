"""Fetches a picture from a URL. BUG: any URL, so internal hosts too (SSRF)."""

import http.client
import urllib.error
import urllib.request

from _event import field, respond


def handler(event, context):
    url = field(event, "url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return respond(400, {"message": "url must be an http(s) URL"})
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            size = len(response.read(1_000_000))
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
        return respond(422, {"message": "could not fetch the picture"})
    return respond(200, {"bytes": size})
