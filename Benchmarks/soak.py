"""Soak for `make soak` (docs/hardening.md): the record proxy and serve under wrk for SOAK_SECONDS each (default
600), beside a client of our own that sends malformed and oversized requests and disconnects mid-body.

proxy: 100,000 distinct ToggleFavourite requests (and one of each malformed body below) are first recorded through
`soaptape record --mode all` from an nginx upstream, which must leave exactly that many interactions. Then
`record --mode new --repeat last` runs on that cassette under wrk (requests drawn from the 100,000) and the
malformed client for SOAK_SECONDS: the cassette must end byte-identical (every request matched a recording).
serve: `soaptape serve` on the same cassette under wrk and the malformed client for SOAK_SECONDS.
Both: the process must stay up, answer every malformed request as expected, keep its RSS flat (sampled every 5 s),
and exit 0 on SIGTERM.

Usage: python3 soak.py OUT_DIR SOAPTAPE_BINARY [proxy] [serve]   (prints one JSON line per target; exit 1 on a failure)
"""
import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

from proxy_bench import REQUEST, free_port, rss_kib, start_nginx, wait_for
from serve_bench import ACTION, request_for, wrk_script

SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
DISTINCT = int(os.environ.get("SOAK_DISTINCT", "100000"))
MAX_BODY = 1 << 20
PATH = "/Remote/Services88/Favourite.svc"
HEADERS = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{ACTION}"'}


# What the malformed client sends. "http" ones never reach soaptape's domain code (the HTTP layer answers them);
# "soap" ones are well-formed HTTP carrying what is not a matching SOAP request: the proxy forwards them like
# any request (it records what travels), serve answers each with a fault.
BOMB = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
        '<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><x>&lol4;</x></Body></Envelope>')
SOAP_CASES = {
    "not-xml": "this is not XML at all",
    "broken-xml": "<Envelope><Body><ToggleFavourite><RecordId>1</Body>",
    "entity-bomb": BOMB,
    "unrecorded-value": request_for(DISTINCT + 12_345),
    "unknown-operation": REQUEST.replace("ToggleFavourite>", "NoSuchOperation>"),
}


def http_request(body, extra=""):
    data = body.encode()
    head = (f"POST {PATH} HTTP/1.1\r\nHost: soak\r\nContent-Type: text/xml; charset=utf-8\r\n"
            f'SOAPAction: "{ACTION}"\r\nContent-Length: {len(data)}\r\n{extra}Connection: close\r\n\r\n')
    return head.encode() + data


def exchange(port, data, read=True):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        try:
            connection.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered (413) before reading everything
        if not read:
            return b""
        chunks = []
        while True:
            try:
                chunk = connection.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def status_and_body(answer):
    head, _, body = answer.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0), body


class MalformedClient(threading.Thread):
    """Loops over the malformed cases until stopped, checking every answer; counts per case."""

    def __init__(self, port, soap_answer):
        super().__init__(daemon=True)
        self.port, self.soap_answer = port, soap_answer
        self.stop = threading.Event()
        self.counts = {}
        self.unexpected = []

    def check(self, case, ok, detail):
        sent, good = self.counts.get(case, (0, 0))
        self.counts[case] = (sent + 1, good + (1 if ok else 0))
        if not ok and len(self.unexpected) < 20:
            self.unexpected.append(f"{case}: {detail[:300]!r}")

    def run_once(self, iteration):
        garbage = exchange(self.port, b"GARBAGE\x01 / NOT-HTTP\r\n\r\n")
        status, body = status_and_body(garbage)
        self.check("http: not HTTP", status == 400 and b"Fault" in body, garbage)
        chunked = (f"POST {PATH} HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n<a/>\r\n0\r\n\r\n")
        answer = exchange(self.port, chunked.encode())
        status, body = status_and_body(answer)
        self.check("http: broken chunked body", status == 400 and b"Fault" in body, answer)
        cut = http_request(request_for(1))
        exchange(self.port, cut[: len(cut) // 2], read=False)
        self.check("http: disconnect mid-body", True, b"")
        if iteration % 10 == 0:
            big = http_request("<x>" + "y" * (MAX_BODY + 1024) + "</x>")
            answer = exchange(self.port, big)
            status, body = status_and_body(answer)
            self.check("http: body over --max-body", status == 413 and b"Fault" in body, answer)
        for case, payload in SOAP_CASES.items():
            answer = exchange(self.port, http_request(payload))
            status, body = status_and_body(answer)
            self.check("soap: " + case, self.soap_answer(case, status, body), answer)

    def run(self):
        iteration = 0
        while not self.stop.is_set():
            try:
                self.run_once(iteration)
            except OSError as error:
                self.check("connection", False, str(error).encode())
            iteration += 1


def drive(port, numbers, threads=4):
    """Sends each numbered request once over keep-alive connections; returns how many got a 200."""
    done = [0] * threads

    def worker(index):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for number in numbers[index::threads]:
            connection.request("POST", PATH, body=request_for(number).encode(), headers=HEADERS)
            response = connection.getresponse()
            response.read()
            done[index] += response.status == 200
        connection.close()

    workers = [threading.Thread(target=worker, args=(index,)) for index in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return sum(done)


def soak(process, port, script, soap_answer):
    """wrk and the malformed client for SECONDS; RSS sampled every 5 s. Returns the findings."""
    client = MalformedClient(port, soap_answer)
    samples = []
    stop = threading.Event()

    def sample():
        while not stop.wait(5):
            if process.poll() is None:
                samples.append(rss_kib(process.pid)[0])

    sampler = threading.Thread(target=sample, daemon=True)
    rss_start = rss_kib(process.pid)[0]
    sampler.start()
    client.start()
    started = time.time()
    output = subprocess.run(["wrk", "-t2", "-c50", f"-d{SECONDS}s", "-s", script, f"http://127.0.0.1:{port}{PATH}"],
                            capture_output=True, text=True).stdout
    client.stop.set()
    client.join(timeout=120)
    stop.set()
    sampler.join()
    alive = process.poll() is None
    rss_end = rss_kib(process.pid)[0] if alive else 0
    requests = int(output.split(" requests in")[0].split()[-1]) if " requests in" in output else 0
    non_2xx = int(output.split("Non-2xx or 3xx responses:")[1].split()[0]) if "Non-2xx" in output else 0
    socket_errors = output.split("Socket errors:")[1].splitlines()[0].strip() if "Socket errors:" in output else "none"
    return {"seconds": round(time.time() - started), "wrk_requests": requests, "wrk_non_2xx": non_2xx,
            "wrk_socket_errors": socket_errors, "malformed": {k: {"sent": v[0], "as_expected": v[1]}
                                                              for k, v in sorted(client.counts.items())},
            "unexpected": client.unexpected, "alive": alive, "rss_start_mib": round(rss_start / 1024, 1),
            "rss_min_mib": round(min(samples, default=0) / 1024, 1),
            "rss_max_mib": round(max(samples, default=0) / 1024, 1), "rss_end_mib": round(rss_end / 1024, 1)}


def stop(process):
    process.send_signal(15)
    try:
        out, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        return -9, ""
    return process.returncode, out


def digest(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def interactions(path):
    with open(path) as handle:
        return sum(1 for line in handle if line.startswith("# end of interaction "))


def nginx_upstream(work):
    port = free_port()
    nginx = start_nginx(work, port)
    wait_for(port, nginx)
    return nginx, port


def record_cassette(soaptape, work, upstream):
    """The first phase: DISTINCT requests and one of each malformed SOAP body, recorded in mode all; a copy with the
    valid requests only (serve.yaml) is kept for serve."""
    cassette = os.path.join(work, "soak.yaml")
    port = free_port()
    recorder = subprocess.Popen([soaptape, "record", "--upstream", f"http://127.0.0.1:{upstream}", "--cassette",
                                 cassette, "--listen", f"127.0.0.1:{port}", "--max-body", str(MAX_BODY)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wait_for(port, recorder)
    started = time.time()
    answered = drive(port, list(range(1, DISTINCT + 1)))
    # serve's cassette: the valid requests only (once the writer has flushed them), so the malformed ones go unmatched.
    deadline = time.time() + 30
    while interactions(cassette) < DISTINCT and time.time() < deadline:
        time.sleep(0.1)
    shutil.copyfile(cassette, os.path.join(work, "serve.yaml"))
    for payload in SOAP_CASES.values():
        exchange(port, http_request(payload))
    code, summary = stop(recorder)
    expected = DISTINCT + len(SOAP_CASES)
    return cassette, {"phase": "record --mode all", "seconds": round(time.time() - started), "answered": answered,
                      "recorded": interactions(cassette), "expected": expected, "exit": code,
                      "summary": summary.strip().splitlines()[-1:] if summary else [],
                      "ok": answered == DISTINCT and interactions(cassette) == expected and code == 0}


def soak_proxy(soaptape, work, upstream, cassette, script):
    before = digest(cassette)
    port = free_port()
    recorder = subprocess.Popen([soaptape, "record", "--upstream", f"http://127.0.0.1:{upstream}", "--cassette",
                                 cassette, "--listen", f"127.0.0.1:{port}", "--mode", "new", "--repeat", "last",
                                 "--max-body", str(MAX_BODY)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wait_for(port, recorder, seconds=120)
    # The proxy forwards what is well-formed HTTP; every such body here was recorded in the first phase.
    result = soak(recorder, port, script, lambda case, status, body: status == 200)
    code, _ = stop(recorder)
    result.update({"target": "record --mode new --repeat last", "exit": code, "cassette_unchanged": digest(cassette) == before,
                   "interactions": interactions(cassette)})
    result["ok"] = (result["alive"] and code == 0 and result["cassette_unchanged"] and not result["unexpected"]
                    and result["wrk_non_2xx"] == 0)
    return result


def soak_serve(soaptape, work, cassette, script):
    port = free_port()
    server = subprocess.Popen([soaptape, "serve", cassette, "--listen", f"127.0.0.1:{port}",
                               "--max-body", str(MAX_BODY)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(port, server, seconds=120)

    def soap_answer(case, status, body):
        # Nothing malformed matches a recording: a 500 with a SOAP Fault, whose reason names the nearest
        # recording for a well-formed request of a recorded operation.
        return status == 500 and b"Fault" in body and (case != "unrecorded-value" or b"nearest recording" in body)

    result = soak(server, port, script, soap_answer)
    report = {}
    if result["alive"]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/__soaptape/report")
        report = json.loads(connection.getresponse().read())
    code, _ = stop(server)
    soap_sent = sum(v["sent"] for k, v in result["malformed"].items() if k.startswith("soap: "))
    result.update({"target": "serve", "exit": code,
                   "report_unmatched": report.get("summary", {}).get("unmatched"),
                   "report_unmatched_listed": len(report.get("unmatched", [])), "soap_malformed_sent": soap_sent})
    result["ok"] = (result["alive"] and code == 0 and not result["unexpected"] and result["wrk_non_2xx"] == 0
                    and result["report_unmatched"] == soap_sent)
    return result


def main(out, soaptape, *targets):
    targets = targets or ("proxy", "serve")
    work = os.path.abspath(tempfile.mkdtemp(prefix="soaptape-soak-", dir=out))
    script = os.path.join(work, "post.lua")
    wrk_script(script, DISTINCT)
    nginx, upstream = nginx_upstream(work)
    results = []
    try:
        cassette, recorded = record_cassette(soaptape, work, upstream)
        results.append(recorded)
        print(json.dumps(recorded), flush=True)
        if "proxy" in targets:
            results.append(soak_proxy(soaptape, work, upstream, cassette, script))
            print(json.dumps(results[-1]), flush=True)
        if "serve" in targets:
            results.append(soak_serve(soaptape, work, os.path.join(work, "serve.yaml"), script))
            print(json.dumps(results[-1]), flush=True)
    finally:
        nginx.terminate()
        nginx.wait(timeout=30)
    sys.exit(0 if all(result["ok"] for result in results) else 1)


if __name__ == "__main__":
    main(*sys.argv[1:])
