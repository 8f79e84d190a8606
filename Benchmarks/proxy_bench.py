"""Proxy benchmark for `make bench`: wrk through nginx direct, nginx as a reverse proxy, `soaptape record`
and mitmproxy's reverse mode with flow saving, all against the same nginx upstream in one run.

Usage: python proxy_bench.py OUT_DIR SOAPTAPE_BINARY MITMDUMP   (prints JSON lines, writes nothing else)
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

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
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    result = {"rps": rps, "p50_ms": percentile("50"), "p99_ms": percentile("99"),
              "non_2xx": int(errors.group(1)) if errors else 0, "requests": requests}
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
    return result


def unloaded(port, script):
    """p50 with one connection, one request at a time: what the hop itself adds, without queueing."""
    return {"p50_one_connection_ms": wrk(port, script, connections=1, duration="3s")["p50_ms"]}


def start_nginx(work, upstream, proxy=None):
    """nginx (one worker) answering every POST on `upstream` with RESPONSE; with `proxy`, also a plain reverse
    proxy to it there (keep-alive upstream connections)."""
    proxy_server = f"""
  upstream backend {{ server 127.0.0.1:{upstream}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{proxy};
    location / {{ proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }}
  }}""" if proxy else ""
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
    listen 127.0.0.1:{upstream};
    location / {{
      default_type "text/xml; charset=utf-8";
      if ($request_method = POST) {{ return 200 '{RESPONSE.strip()}'; }}
      return 405;
    }}
  }}{proxy_server}
}}
""")
    return subprocess.Popen(["nginx", "-c", config, "-g", "daemon off;"], stderr=subprocess.DEVNULL)


def main(out, soaptape, mitmdump):
    work = os.path.abspath(tempfile.mkdtemp(prefix="soaptape-proxy-bench-", dir=out))
    script = os.path.join(work, "post.lua")
    with open(script, "w") as handle:
        body = REQUEST.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        handle.write(f'wrk.method = "POST"\nwrk.body = "{body}"\n'
                     'wrk.headers["Content-Type"] = "text/xml; charset=utf-8"\n'
                     'wrk.headers["SOAPAction"] = "\\"http://www.superoffice.net/ws/crm/NetServer/Services88/Favourite/ToggleFavourite\\""\n')
    upstream, nginx_proxy = free_port(), free_port()
    nginx = start_nginx(work, upstream, proxy=nginx_proxy)
    results = []
    try:
        wait_for(upstream, nginx)
        wait_for(nginx_proxy, nginx)
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
