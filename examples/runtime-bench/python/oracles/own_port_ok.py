"""Talks to a server of its own on loopback (as a handler driving a headless browser or a helper
process does): a port it bound is its own, and reaching it is no finding."""

import http.server
import threading
import urllib.request

from _event import respond


class _Pong(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"pong")

    def log_message(self, *args):
        pass


_SERVER = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pong)
threading.Thread(target=_SERVER.serve_forever, daemon=True).start()


def handler(event, context):
    with urllib.request.urlopen("http://127.0.0.1:%d/" % _SERVER.server_address[1], timeout=3) as answer:
        return respond(200, {"helper": answer.read().decode()})
