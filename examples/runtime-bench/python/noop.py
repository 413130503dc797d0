"""Does nothing: measures the runtime's own cost per invocation."""


def handler(event, context):
    return {}
