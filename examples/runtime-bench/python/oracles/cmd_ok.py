"""Lists a file of the spool directory: cmd_bug.py without a shell (argument list)."""

import os
import subprocess

from _event import field, respond

SPOOL = "/tmp/spool"


def handler(event, context):
    name = field(event, "name")
    if not isinstance(name, str) or not name or "\0" in name:
        return respond(400, {"message": "name is required"})
    path = os.path.join(SPOOL, os.path.basename(name))
    listing = subprocess.run(["ls", "-l", "--", path], capture_output=True, text=True)
    if listing.returncode != 0:
        return respond(404, {"message": "no such file"})
    return respond(200, {"listing": listing.stdout})
