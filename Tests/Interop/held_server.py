"""A server that holds every request until it is released: the shadow interop check's stuck candidate
(Tests/Interop/shadow_interop.py, scenario 6).

It prints `http://127.0.0.1:PORT` first, then `held N PATH` when it has read the N-th request (headers and body) and
holds it without answering. A line `release` on stdin (or stdin's end) releases them: each held request, and every
later one, is answered `503 Service Unavailable` (a plain-text body) and its connection closed. It stops on
SIGINT/SIGTERM. No timer anywhere: the driver decides when the requests go.

Usage: python held_server.py
"""
import http.server
import signal
import socketserver
import sys
import threading

RELEASED = threading.Event()
LOCK = threading.Lock()
COUNT = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _hold(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        with LOCK:
            COUNT[0] += 1
            number = COUNT[0]
        if not RELEASED.is_set():
            print(f"held {number} {self.path}", flush=True)
        RELEASED.wait()
        body = b"released without an answer\n"
        self.send_response(503)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    do_POST = _hold
    do_GET = _hold

    def log_message(self, *_):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)

    def release():
        for line in sys.stdin:
            if line.strip() == "release":
                break
        RELEASED.set()
        print("released", flush=True)

    def stop(_number, _frame):
        RELEASED.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    threading.Thread(target=release, daemon=True).start()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
