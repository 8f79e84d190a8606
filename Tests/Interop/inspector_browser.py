"""The inspector page in a real browser: Debian's chromium, headless, driven over the DevTools protocol (a minimal
WebSocket client below: the standard library has none).

Usage: python inspector_browser.py CHROMIUM PAGE_URL SEND_URL SEND_ACTION SEND_BODY_FILE SECRETS_FILE

Opens PAGE_URL (a soaptape /__soaptape/ page), waits until its list is live, sends one SOAP request (POST SEND_BODY
to SEND_URL with SOAPAction SEND_ACTION) through the proxy, and measures how long after the answer arrived its row
appears on the page. Then clicks that row, waits for its view, and reads it. Prints one JSON object:
  {"rows_before": N, "rows_after": N, "appeared_after_ms": F, "row_class": "...", "detail_text": "...",
   "secrets_in_dom": [...]}
SECRETS_FILE holds one secret per line (tickets a server issued): any of them found in the page's DOM is listed.
Waiting is for a condition with a deadline, never a fixed sleep.
"""
import base64
import http.client
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request


class WebSocket:
    """Just enough of RFC 6455 for DevTools: text frames, client-masked, no extensions."""

    def __init__(self, url):
        parsed = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((parsed.hostname, parsed.port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {parsed.path} HTTP/1.1\r\nHost: {parsed.hostname}:{parsed.port}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("DevTools closed the WebSocket handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError("DevTools refused the WebSocket: " + head.split(b"\r\n")[0].decode())
        self.buffer = head.split(b"\r\n\r\n", 1)[1]
        self.next_id = 0

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("DevTools closed the WebSocket")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def send(self, text):
        payload = text.encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def receive(self):
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            opcode = first & 0x0F
            if opcode == 0x9:  # ping: answer, keep reading
                continue
            message += payload
            if first & 0x80:
                return message.decode()

    def call(self, method, **params):
        self.next_id += 1
        self.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            answer = json.loads(self.receive())
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")


def wait_for(page, expression, seconds):
    """Evaluates `expression` until it is truthy; returns its value, or raises after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {seconds} s waiting for {expression}")
        time.sleep(0.02)


def main(chromium, page_url, send_url, action, body_file, secrets_file):
    profile = tempfile.mkdtemp(prefix="soaptape-chromium-")
    browser = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while not (os.path.exists(port_file) and open(port_file).read().count("\n") >= 1):
            if browser.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("chromium did not start its DevTools endpoint")
            time.sleep(0.02)
        port = int(open(port_file).read().split("\n")[0])
        request = urllib.request.Request(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT")
        target = json.load(urllib.request.urlopen(request, timeout=30))
        page = WebSocket(target["webSocketDebuggerUrl"])
        page.call("Page.enable")
        page.call("Page.navigate", url=page_url)
        wait_for(page, "document.getElementById('state') && document.getElementById('state').textContent.includes('live')", 15)
        rows_before = page.evaluate("document.querySelectorAll('#rows tr').length")

        parsed = urllib.parse.urlparse(send_url)
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        connection.request("POST", parsed.path, body=open(body_file, "rb").read(),
                           headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": action})
        answer = connection.getresponse()
        answer.read()
        answered = time.monotonic()
        newest = f"document.querySelectorAll('#rows tr').length > {rows_before}"
        wait_for(page, newest, 5)
        appeared = (time.monotonic() - answered) * 1000
        sequence = page.evaluate("Math.max(...Array.from(document.querySelectorAll('#rows tr'), r => Number(r.dataset.sequence)))")
        # Its verdict arrives once checked; then open it as a user does, with a click.
        row_class = wait_for(page, f"(c => c.includes('checking') ? '' : c)(document.getElementById('row-{sequence}').className)", 10)
        page.evaluate(f"document.getElementById('row-{sequence}').click()")
        detail = wait_for(page, f"document.getElementById('detail-{sequence}') && document.getElementById('detail').innerText", 5)
        dom = page.evaluate("document.documentElement.outerHTML")
        secrets = [line.strip() for line in open(secrets_file) if line.strip()]
        print(json.dumps({"rows_before": rows_before, "rows_after": page.evaluate("document.querySelectorAll('#rows tr').length"),
                          "appeared_after_ms": round(appeared, 1), "sequence": sequence, "row_class": row_class,
                          "detail_text": detail, "secrets_in_dom": [s for s in secrets if s in dom]}))
    finally:
        browser.kill()
        browser.wait()


if __name__ == "__main__":
    main(*sys.argv[1:7])
