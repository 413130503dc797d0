"""Lists a file of the spool directory. BUG: the name goes to a shell (command injection)."""

import subprocess

from _event import field, respond

SPOOL = "/tmp/spool"


def handler(event, context):
    name = field(event, "name")
    if not isinstance(name, str) or not name:
        return respond(400, {"message": "name is required"})
    listing = subprocess.run(f"ls -l {SPOOL}/{name}", shell=True, capture_output=True, text=True)
    if listing.returncode != 0:
        return respond(404, {"message": "no such file"})
    return respond(200, {"listing": listing.stdout})
