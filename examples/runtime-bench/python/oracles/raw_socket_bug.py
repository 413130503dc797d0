"""Opens a socket to the loopback port the event names, the low-level way (a health check of a
"sidecar"). BUG: any port, so the machine's own services too. `how` picks the call: connect,
connect_ex, sendto or sendmsg (UDP)."""

import socket

from _event import field, respond


def handler(event, context):
    port, how = field(event, "port"), field(event, "how")
    if not isinstance(port, int) or not 0 < port < 65536:
        return respond(400, {"message": "port must be a port number"})
    address = ("127.0.0.1", port)
    try:
        if how in ("sendto", "sendmsg"):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                if how == "sendto":
                    udp.sendto(b"ping", address)
                else:
                    udp.sendmsg([b"ping"], [], 0, address)
            return respond(200, {"sent": how})
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.settimeout(2)
            if how == "connect_ex":
                code = tcp.connect_ex(address)
                return respond(200, {"connected": code == 0})
            tcp.connect(address)
            return respond(200, {"connected": True})
    except OSError as e:
        return respond(502, {"message": "the sidecar did not answer", "error": e.__class__.__name__})
