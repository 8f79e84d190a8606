"""Proxy benchmark for `make bench`: wrk through nginx direct, nginx as a reverse proxy, `soaptape record`,
`soaptape shadow` and mitmproxy's reverse mode with flow saving, all against the same nginx upstream in one run.

`soaptape shadow` gets that upstream as its primary and two more ports of the same nginx, answering the same
response, as candidate and secondary; `--shadow-all` (the anchor request, ToggleFavourite, is not a read), the
default queue and workers. Its row adds the shadowed requests per second: `summary.shadowed` from
`GET /__soaptape/shadow` (JSON) read as soon as wrk stops, divided by wrk's own duration; `summary.dropped` beside.

Usage: python proxy_bench.py OUT_DIR SOAPTAPE_BINARY [MITMDUMP]   (prints JSON lines, writes nothing else;
without MITMDUMP, or with "-", the mitmproxy row is left out)
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

REQUEST = open(os.path.join(os.path.dirname(__file__), "anchors", "request-1k.xml")).read()
RESPONSE = open(os.path.join(os.path.dirname(__file__), "anchors", "response-1k.xml")).read()
DURATION = os.environ.get("BENCH_DURATION", "10s")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, process, seconds=20, step=0.05):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for port {port} exited with {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(step)
    raise RuntimeError(f"nothing listens on {port}")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as handle:
        fields = dict(line.split(":", 1) for line in handle if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def cpu_seconds(pids):
    """User + system CPU seconds the processes `pids` (and their threads) have used so far."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds():
    """CPU seconds the whole machine has spent busy (steal excluded), idle, and stolen by the hypervisor for other
    guests (from /proc/stat)."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle, steal = values[3] + values[4], values[7]
    return (sum(values[:8]) - idle - steal) / tick, idle / tick, steal / tick


def nginx_workers(master):
    """nginx's worker processes (children of its master)."""
    with open(f"/proc/{master}/task/{master}/children") as handle:
        return [int(pid) for pid in handle.read().split()]


def wrk(port, script, connections=50, duration=None, measured=None):
    """wrk against `port`; with `measured` ({name: [pid…]}), also the CPU each named set of processes, wrk itself
    and the whole machine spent per request during the run: what does not depend on how busy the machine is,
    and how the cores were shared."""
    threads = "-t2" if connections > 1 else "-t1"
    before = {name: cpu_seconds(pids) for name, pids in (measured or {}).items()}
    children_before = os.times()
    busy_before, idle_before, steal_before = machine_cpu_seconds()
    output = subprocess.run(["wrk", threads, f"-c{connections}", "-d" + (duration or DURATION), "--latency", "-s", script,
                             f"http://127.0.0.1:{port}/Remote/Services88/Favourite.svc"],
                            capture_output=True, text=True, check=True).stdout
    children_after = os.times()
    busy_after, idle_after, steal_after = machine_cpu_seconds()
    after = {name: cpu_seconds(pids) for name, pids in (measured or {}).items()}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def percentile(name):
        value, unit = re.search(rf"\s{name}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", output)
    requests = int(done.group(1))
    seconds = float(done.group(2)) * {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60}[done.group(3)]
    result = {"rps": rps, "p50_ms": percentile("50"), "p99_ms": percentile("99"),
              "non_2xx": int(errors.group(1)) if errors else 0, "requests": requests,
              "duration_s": round(seconds, 3)}
    if measured is not None and requests:
        per = 1e6 / requests
        for name in measured:
            result[f"{name}_cpu_us_per_request"] = round((after[name] - before[name]) * per, 1)
        wrk_cpu = (children_after.children_user - children_before.children_user
                   + children_after.children_system - children_before.children_system)
        result["wrk_cpu_us_per_request"] = round(wrk_cpu * per, 1)
        result["machine_busy_us_per_request"] = round((busy_after - busy_before) * per, 1)
        spent = (busy_after - busy_before) + (idle_after - idle_before) + (steal_after - steal_before)
        result["machine_idle_share"] = round((idle_after - idle_before) / max(1e-9, spent), 3)
        result["machine_steal_share"] = round((steal_after - steal_before) / max(1e-9, spent), 3)
        # Cores' worth of CPU that neither the measured processes nor wrk used: other work on the machine (a build,
        # a test run) that took its share from this run. Near 0 in a clean run.
        ours = sum(after[name] - before[name] for name in measured) + wrk_cpu
        result["other_cpu_cores"] = round(((busy_after - busy_before) - ours) / max(1e-9, result["duration_s"]), 2)
    return result


def unloaded(port, script):
    """p50 with one connection, one request at a time: what the hop itself adds, without queueing."""
    result = wrk(port, script, connections=1, duration="3s")
    return {"p50_one_connection_ms": result["p50_ms"], "one_connection_requests": result["requests"]}


def start_nginx(work, upstream, proxy=None, also=()):
    """nginx (one worker) answering every POST on `upstream` with RESPONSE; with `proxy`, also a plain reverse
    proxy to it there (keep-alive upstream connections); on each port of `also`, the same answer as `upstream`
    (another server block: the shadow's candidate and secondary)."""
    proxy_server = f"""
  upstream backend {{ server 127.0.0.1:{upstream}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{proxy};
    location / {{ proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }}
  }}""" if proxy else ""
    answer = f"""
    location / {{
      default_type "text/xml; charset=utf-8";
      if ($request_method = POST) {{ return 200 '{RESPONSE.strip()}'; }}
      return 405;
    }}"""
    others = "".join(f"""
  server {{
    listen 127.0.0.1:{port};{answer}
  }}""" for port in also)
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
  proxy_temp_path {work}/proxy;
  client_max_body_size 8m;
  server {{
    listen 127.0.0.1:{upstream};{answer}
  }}{others}{proxy_server}
}}
""")
    return subprocess.Popen(["nginx", "-c", config, "-g", "daemon off;"], stderr=subprocess.DEVNULL)


def shadow_summary(port):
    """`summary` of the shadow report so far (`GET /__soaptape/shadow`, JSON)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/__soaptape/shadow",
                                     headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["summary"]


def start_shadow(soaptape, work, upstream, candidate, secondary):
    """`soaptape shadow` in front of `upstream`; returns the process, its port (from the first stdout line) and
    the thread that reads the rest of its stdout (the report it prints at exit), so that it never blocks on a full
    pipe."""
    process = subprocess.Popen([soaptape, "shadow", "--primary", f"http://127.0.0.1:{upstream}",
                                "--candidate", f"http://127.0.0.1:{candidate}",
                                "--secondary", f"http://127.0.0.1:{secondary}",
                                "--shadow-all", "--listen", "127.0.0.1:0", "--specs", "specs",
                                "--format", "json", "--json", os.path.join(work, "shadow.json")],
                               stdout=subprocess.PIPE, text=True)
    first = process.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)", first)
    if not found:
        process.kill()
        process.wait()
        raise RuntimeError(f"soaptape shadow printed no address: {first!r}")
    reader = threading.Thread(target=process.stdout.read, daemon=True)
    reader.start()
    return process, int(found.group(1)), reader


def main(out, soaptape, mitmdump=None):
    work = os.path.abspath(tempfile.mkdtemp(prefix="soaptape-proxy-bench-", dir=out))
    script = os.path.join(work, "post.lua")
    with open(script, "w") as handle:
        body = REQUEST.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        handle.write(f'wrk.method = "POST"\nwrk.body = "{body}"\n'
                     'wrk.headers["Content-Type"] = "text/xml; charset=utf-8"\n'
                     'wrk.headers["SOAPAction"] = "\\"http://www.superoffice.net/ws/crm/NetServer/Services88/Favourite/ToggleFavourite\\""\n')
    upstream, nginx_proxy, candidate, secondary = free_port(), free_port(), free_port(), free_port()
    nginx = start_nginx(work, upstream, proxy=nginx_proxy, also=(candidate, secondary))
    results = []
    try:
        for port in (upstream, nginx_proxy, candidate, secondary):
            wait_for(port, nginx)
        workers = nginx_workers(nginx.pid)
        results.append({"target": "nginx direct", **wrk(upstream, script, measured={"nginx": workers}),
                        **unloaded(upstream, script)})
        # One nginx worker is both the proxy and its upstream here.
        results.append({"target": "nginx reverse proxy (no recording)",
                        **wrk(nginx_proxy, script, measured={"nginx": workers}), **unloaded(nginx_proxy, script)})

        port = free_port()
        cassette = os.path.join(work, "bench.yaml")
        recorder = subprocess.Popen([soaptape, "record", "--upstream", f"http://127.0.0.1:{upstream}",
                                     "--cassette", cassette, "--listen", f"127.0.0.1:{port}", "--specs", "specs"],
                                    stdout=subprocess.DEVNULL)
        wait_for(port, recorder)
        start_rss, _ = rss_kib(recorder.pid)
        result = wrk(port, script, measured={"soaptape": [recorder.pid], "upstream_nginx": workers})
        end_rss, peak_rss = rss_kib(recorder.pid)
        # Every answered request is in the cassette already (written before its answer left).
        recorded = sum(1 for line in open(cassette) if line.startswith("# end of interaction "))
        result.update(unloaded(port, script))
        recorder.send_signal(2)
        recorder.wait(timeout=30)
        results.append({"target": "soaptape record", **result, "rss_start_mib": start_rss / 1024,
                        "rss_end_mib": end_rss / 1024, "rss_peak_mib": peak_rss / 1024, "recorded": recorded})

        # soaptape record --check: the same, each interaction also verified against the specs off the client's path
        # (an idle-priority thread); what was not checked while wrk ran is checked at stop.
        port = free_port()
        cassette = os.path.join(work, "checked.yaml")
        lines = os.path.join(work, "checked.out")
        with open(lines, "w") as output:
            checker = subprocess.Popen([soaptape, "record", "--upstream", f"http://127.0.0.1:{upstream}",
                                        "--cassette", cassette, "--listen", f"127.0.0.1:{port}", "--specs", "specs",
                                        "--check"], stdout=output)
        wait_for(port, checker)
        start_rss, _ = rss_kib(checker.pid)
        result = wrk(port, script, measured={"soaptape": [checker.pid], "upstream_nginx": workers})
        end_rss, peak_rss = rss_kib(checker.pid)
        checked_in_window = sum(1 for line in open(lines) if line[:6] in ("PASS  ", "FAIL  ", "ERROR "))
        recorded = sum(1 for line in open(cassette) if line.startswith("# end of interaction "))
        result.update(unloaded(port, script))
        stopping = time.time()
        checker.send_signal(2)
        status = checker.wait(timeout=600)  # what waits is checked first
        verdicts = [line[:6].strip() for line in open(lines) if line[:6] in ("PASS  ", "FAIL  ", "ERROR ")]
        results.append({"target": "soaptape record --check", **result, "rss_start_mib": start_rss / 1024,
                        "rss_end_mib": end_rss / 1024, "rss_peak_mib": peak_rss / 1024,
                        "recorded_in_window": recorded, "checked_in_window": checked_in_window,
                        "checked": len(verdicts), "passed": verdicts.count("PASS"),
                        "stop_seconds": round(time.time() - stopping, 2), "exit_status": status})

        # soaptape shadow: primary = the upstream above; candidate and secondary = two more ports of the same
        # nginx worker, which therefore answers three requests for every one the client sends.
        shadow, port, reader = start_shadow(soaptape, work, upstream, candidate, secondary)
        wait_for(port, shadow)
        start_rss, _ = rss_kib(shadow.pid)
        result = wrk(port, script, measured={"soaptape": [shadow.pid], "upstream_nginx": workers})
        window = shadow_summary(port)  # as soon as wrk stops: what was shadowed within its run
        end_rss, peak_rss = rss_kib(shadow.pid)
        result.update(unloaded(port, script))
        shadow.send_signal(2)
        status = shadow.wait(timeout=120)  # queued shadow work finishes first
        reader.join(timeout=30)
        with open(os.path.join(work, "shadow.json")) as handle:
            final = json.load(handle)["summary"]
        results.append({"target": "soaptape shadow", **result, "rss_start_mib": start_rss / 1024,
                        "rss_end_mib": end_rss / 1024, "rss_peak_mib": peak_rss / 1024,
                        "shadowed": window["shadowed"], "dropped": window["dropped"],
                        "shadow_requests": window["requests"],
                        # answered but neither compared nor dropped yet: waiting in the queue or in flight
                        "pending_at_end": window.get("pending", window["requests"] - window["shadowed"]
                                                     - window["dropped"] - window["not_shadowed"]),
                        "shadowed_per_s": round(window["shadowed"] / result["duration_s"], 1),
                        "final": {key: final.get(key) for key in (
                            "requests", "shadowed", "not_shadowed", "equal", "noise_only", "differing", "dropped",
                            "pending", "candidate_errors", "secondary_errors", "result")},
                        "exit_status": status})

        if mitmdump and mitmdump != "-":
            port = free_port()
            flows = os.path.join(work, "flows.mitm")
            mitm = subprocess.Popen([mitmdump, "--mode", f"reverse:http://127.0.0.1:{upstream}", "-p", str(port),
                                     "-w", flows, "-q", "--set", "flow_detail=0"], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            wait_for(port, mitm)
            results.append({"target": "mitmproxy reverse mode, saving flows",
                            **wrk(port, script, measured={"mitmproxy": [mitm.pid], "upstream_nginx": workers}),
                            **unloaded(port, script)})
            mitm.terminate()
            mitm.wait(timeout=30)
    finally:
        nginx.terminate()
        nginx.wait(timeout=30)
    for result in results:
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
