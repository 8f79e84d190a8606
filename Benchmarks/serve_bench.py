"""Replay benchmark for `make bench`: `soaptape serve` with 10,000 interactions loaded, wrk posting matching
requests (a different recorded RecordId each time), against nginx answering a static response and against
mitmproxy's server replay of the same 10,000 flows, in one run; then serve's start-up time with 10,000 loaded
and `soaptape verify` over them next to lxml (libxml2) parsing their 20,000 envelopes.

Usage: python serve_bench.py OUT_DIR SOAPTAPE_BINARY MITMDUMP PYTHON_WITH_LXML   (prints JSON lines)
"""
import json
import os
import subprocess
import sys
import tempfile
import time

from proxy_bench import REQUEST, RESPONSE, free_port, rss_kib, wait_for, wrk

COUNT = 10_000
ACTION = "http://www.superoffice.net/ws/crm/NetServer/Services88/Favourite/ToggleFavourite"


def request_for(number):
    return REQUEST.replace("<Favourite:RecordId xsi:type=\"xsd:int\">42</Favourite:RecordId>",
                           f"<Favourite:RecordId xsi:type=\"xsd:int\">{number}</Favourite:RecordId>")


def block(text, indent="    "):
    return "".join(indent + line + "\n" if line else "\n" for line in text.rstrip("\n").split("\n"))


def write_cassette(path):
    """10,000 ToggleFavourite interactions in cassette format 1 (docs/cassettes.md), the ticket redacted."""
    with open(path, "w") as out:
        out.write("# soaptape cassette (format 1): docs/cassettes.md\nformat: 1\nsoaptape: 0.1.0\n"
                  "upstream: http://127.0.0.1:1\ncreated_at: 2026-11-30T00:00:00.000Z\n")
        for number in range(1, COUNT + 1):
            body = request_for(number).replace("<Favourite:Ticket>x</Favourite:Ticket>",
                                               "<Favourite:Ticket>${redacted}</Favourite:Ticket>")
            out.write(f"--- # interaction {number}\nsequence: {number}\nrecorded_at: 2026-11-30T00:00:00.000Z\n"
                      f"duration_ms: 1.000\nrequest:\n  method: POST\n  path: /Remote/Services88/Favourite.svc\n"
                      f"  headers:\n  - Content-Type: text/xml; charset=utf-8\n  - SOAPAction: \"\\\"{ACTION}\\\"\"\n"
                      f"  body: |\n{block(body)}response:\n  status: 200\n  fault: false\n  headers:\n"
                      f"  - Content-Type: text/xml; charset=utf-8\n  body: |\n{block(RESPONSE)}"
                      f"# end of interaction {number}\n")


def wrk_script(path, count=COUNT):
    """Each request a recorded one: RecordId drawn from 1…count."""
    before, after = REQUEST.split("<Favourite:RecordId xsi:type=\"xsd:int\">42</Favourite:RecordId>")

    def lua(text):
        return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

    with open(path, "w") as handle:
        handle.write(f'local before = "{lua(before)}<Favourite:RecordId xsi:type=\\"xsd:int\\">"\n'
                     f'local after = "</Favourite:RecordId>{lua(after)}"\n'
                     'local headers = {["Content-Type"] = "text/xml; charset=utf-8", '
                     f'["SOAPAction"] = "\\"{ACTION}\\""}}\n'
                     'request = function()\n'
                     f'  return wrk.format("POST", nil, headers, before .. math.random(1, {count}) .. after)\n'
                     'end\n')


def main(out, soaptape, mitmdump, python):
    work = os.path.abspath(tempfile.mkdtemp(prefix="soaptape-serve-bench-", dir=out))
    cassette = os.path.join(work, "10k.yaml")
    write_cassette(cassette)
    script = os.path.join(work, "post.lua")
    wrk_script(script)
    upstream = free_port()
    config = os.path.join(work, "nginx.conf")
    with open(config, "w") as handle:
        handle.write(f"""
worker_processes 1;
error_log {work}/error.log;
pid {work}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {work}/body;
  server {{
    listen 127.0.0.1:{upstream};
    location / {{
      default_type "text/xml; charset=utf-8";
      if ($request_method = POST) {{ return 200 '{RESPONSE.strip()}'; }}
      return 405;
    }}
  }}
}}
""")
    nginx = subprocess.Popen(["nginx", "-c", config, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
    results = []
    try:
        wait_for(upstream, nginx)
        results.append({"target": "nginx static answer", **wrk(upstream, script)})

        # serve: start-up with 10,000 loaded (spawn → listening), then wrk.
        port = free_port()
        started = time.monotonic()
        server = subprocess.Popen([soaptape, "serve", cassette, "--listen", f"127.0.0.1:{port}", "--specs", "specs",
                                   "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        wait_for(port, server, seconds=120, step=0.005)
        startup = time.monotonic() - started
        rss_start, _ = rss_kib(server.pid)
        result = wrk(port, script)
        rss_end, _ = rss_kib(server.pid)
        server.send_signal(15)
        report = json.loads(server.communicate(timeout=60)[0].split(b"\n", 1)[1])
        results.append({"target": "soaptape serve (10,000 loaded)", **result, "startup_s": startup,
                        "rss_start_mib": rss_start / 1024, "rss_end_mib": rss_end / 1024,
                        "unmatched": report["summary"]["unmatched"]})

        # mitmproxy: record the same 10,000 flows through its reverse mode, then replay them.
        port = free_port()
        flows = os.path.join(work, "flows.mitm")
        recorder = subprocess.Popen([mitmdump, "--mode", f"reverse:http://127.0.0.1:{upstream}", "-p", str(port),
                                     "-w", flows, "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(port, recorder)
        feed = os.path.join(work, "feed.py")
        with open(feed, "w") as handle:
            handle.write("import sys, http.client\nfrom serve_bench import request_for, ACTION\n"
                         "c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]))\n"
                         f"for n in range(1, {COUNT} + 1):\n"
                         "    c.request('POST', '/Remote/Services88/Favourite.svc', request_for(n), "
                         "{'Content-Type': 'text/xml; charset=utf-8', 'SOAPAction': '\"' + ACTION + '\"'})\n"
                         "    c.getresponse().read()\n")
        subprocess.run([sys.executable, feed, str(port)], check=True, cwd=os.path.dirname(__file__),
                       env={**os.environ, "PYTHONPATH": os.path.dirname(os.path.abspath(__file__))})
        recorder.terminate()
        recorder.wait(timeout=60)
        port = free_port()
        replayer = subprocess.Popen([mitmdump, "--mode", f"reverse:http://127.0.0.1:{upstream}", "-p", str(port),
                                     "--server-replay", flows, "--set", "server_replay_reuse=true",
                                     "--set", "server_replay_extra=kill", "-q"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(port, replayer, seconds=120)
        results.append({"target": "mitmproxy server replay (10,000 flows)", **wrk(port, script)})
        replayer.terminate()
        replayer.wait(timeout=60)
    finally:
        nginx.terminate()
        nginx.wait(timeout=30)

    # verify over the 10,000 interactions, next to libxml2 (through lxml) parsing their 20,000 envelopes.
    started = time.monotonic()
    verify = subprocess.run([soaptape, "verify", "--specs", "specs", cassette, "--quiet"], capture_output=True, text=True)
    verify_s = time.monotonic() - started
    parse = subprocess.run([python, "-c", f"""
import time, lxml.etree as e
import sys; sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})
from serve_bench import request_for, RESPONSE
bodies = [request_for(n).encode() for n in range(1, {COUNT} + 1)] + [RESPONSE.encode()] * {COUNT}
start = time.perf_counter()
for body in bodies: e.fromstring(body)
print(time.perf_counter() - start)
"""], capture_output=True, text=True, check=True)
    results.append({"target": "soaptape verify (10,000 interactions)", "seconds": verify_s,
                    "libxml2_parse_20000_s": float(parse.stdout), "exit": verify.returncode,
                    "summary": verify.stdout.strip().splitlines()[-1] if verify.stdout else verify.stderr[:300]})
    for result in results:
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:5])
