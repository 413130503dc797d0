"""Reads a shipping rule written in YAML. BUG: with yaml.Loader, which builds any Python object."""

import yaml

from _event import field, respond


def handler(event, context):
    data = field(event, "data")
    if not isinstance(data, str):
        return respond(400, {"message": "data is required"})
    try:
        rule = yaml.load(data, Loader=yaml.Loader)
    except (yaml.YAMLError, ValueError, RecursionError):
        return respond(400, {"message": "not YAML"})
    if not isinstance(rule, dict):
        return respond(400, {"message": "a rule is a mapping"})
    return respond(200, {"keys": sorted(str(k) for k in rule)})
