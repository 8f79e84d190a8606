"""Scale benchmark for `make bench`: `soaptape verify` over a large generated cassette set (default 1,000,000
interactions, about 2.7 GB) — peak RSS, wall time and CPU time, several runs — next to libxml2 (through lxml)
parsing the same envelopes in the same run; then the same set verified as 4 shards (4 processes) merged with
`soaptape report merge`, whose verdicts and counts must equal one unsharded run's.

The interactions are the shapes recorded from zeep and spyne in cassettes/spyne (SOAP calls and WSDL fetches),
renumbered, 10,000 to a cassette.

Usage: python verify_scale_bench.py OUT_DIR SOAPTAPE PYTHON_WITH_LXML [INTERACTIONS] [RUNS] [SHARDS: yes|no]
(prints JSON lines)
"""
import glob
import json
import os
import re
import subprocess
import sys
import time

PER_CASSETTE = 10_000


def templates():
    """The committed spyne interactions, each as its text after the `sequence:` line."""
    found = []
    for path in sorted(glob.glob("cassettes/spyne/*.yaml")):
        text = open(path, encoding="utf-8").read()
        for part in re.split(r"(?m)^--- # interaction \d+\n", text)[1:]:
            body = part.split("\n", 1)[1]  # drop "sequence: N"
            body = re.sub(r"(?m)^# end of interaction \d+\n?", "", body)
            found.append(body)
    return found


def generate(folder, count):
    """`count` interactions in cassettes of PER_CASSETTE, once per count (kept between runs)."""
    done = os.path.join(folder, ".complete")
    if os.path.exists(done):
        return
    os.makedirs(folder, exist_ok=True)
    shapes = templates()
    header = ("# soaptape cassette (format 1): docs/cassettes.md\nformat: 1\nsoaptape: 0.1.0\n"
              "upstream: http://127.0.0.1:1\ncreated_at: 2026-12-04T00:00:00.000Z\n")
    written = 0
    number = 0
    while written < count:
        number += 1
        size = min(PER_CASSETTE, count - written)
        with open(os.path.join(folder, f"scale-{number:04d}.yaml"), "w", encoding="utf-8") as out:
            out.write(header)
            for sequence in range(1, size + 1):
                shape = shapes[(written + sequence) % len(shapes)]
                out.write(f"--- # interaction {sequence}\nsequence: {sequence}\n{shape}# end of interaction {sequence}\n")
        written += size
    open(done, "w").close()


def measured(command):
    """Runs `command` under GNU time; its wall seconds, CPU seconds (user + system), peak RSS (MiB), exit status and
    last line of output. (GNU time, not this Python's own wait4: Linux carries a process's peak RSS across exec, so
    a child forked from a large Python would report the Python's size.)"""
    started = time.monotonic()
    done = subprocess.run(["/usr/bin/time", "-f", "%M %U %S"] + command, capture_output=True)
    wall = time.monotonic() - started
    err = done.stderr.decode(errors="replace").strip().splitlines()
    peak_kib, user, system = err[-1].split()
    out = done.stdout.decode(errors="replace").strip().splitlines()
    return {"wall_s": round(wall, 3), "cpu_s": round(float(user) + float(system), 3),
            "peak_rss_mib": round(int(peak_kib) / 1024, 1), "exit": done.returncode, "last_line": (out or err[:-1])[-1:]}


LXML_ANCHOR = r"""
import glob, sys, time
import lxml.etree as etree
parser = etree.XMLParser(resolve_entities=False, no_network=True)
total = 0.0
count = 0
for path in sorted(glob.glob(sys.argv[1] + "/*.yaml")):
    lines = []
    inside = False
    def flush():
        global total, count
        if lines:
            data = "".join(lines).encode()
            started = time.perf_counter()
            etree.fromstring(data, parser)
            total += time.perf_counter() - started
            count += 1
    with open(path, encoding="utf-8") as f:
        for line in f:
            if inside:
                if line.startswith("    ") or line == "\n":
                    lines.append(line[4:] if line.startswith("    ") else line)
                    continue
                flush()
                lines = []
                inside = False
            if line.startswith("  body: |"):
                inside = True
    flush()
print(total, count)
"""


def main(out, soaptape, python, count=1_000_000, runs=3, shards="yes"):
    count, runs = int(count), int(runs)
    folder = os.path.join(out, f"verify-scale-{count}")
    started = time.monotonic()
    generate(folder, count)
    size = sum(os.path.getsize(p) for p in glob.glob(folder + "/*.yaml"))
    print(json.dumps({"what": "generated", "interactions": count, "cassettes": len(glob.glob(folder + "/*.yaml")),
                      "bytes": size, "seconds": round(time.monotonic() - started, 1)}), flush=True)
    verify = [soaptape, "verify", "--specs", "specs", folder, "--quiet"]
    for run in range(1, runs + 1):
        result = measured(verify)
        anchor = subprocess.run([python, "-c", LXML_ANCHOR, folder], capture_output=True, text=True, check=True)
        parse_s, envelopes = anchor.stdout.split()
        result.update({"what": "verify", "run": run, "libxml2_parse_s": round(float(parse_s), 3),
                       "envelopes": int(envelopes), "ratio_wall": round(result["wall_s"] / float(parse_s), 2),
                       "cpu_us_per_interaction": round(result["cpu_s"] * 1e6 / count, 1)})
        print(json.dumps(result), flush=True)
    if shards != "yes":
        return
    # 4 shards as 4 processes (two at a time, on two cores), merged: the same verdicts and counts as one run.
    whole = os.path.join(out, "verify-scale-whole.json")
    whole_run = measured(verify + ["--json", whole])
    shards = []
    for pair in ((1, 2), (3, 4)):
        processes = [subprocess.Popen(verify + ["--shard", f"{k}/4", "--jobs", "1", "--json",
                                                os.path.join(out, f"verify-scale-shard-{k}.json")],
                                      stdout=subprocess.DEVNULL) for k in pair]
        for process in processes:
            process.wait()
        shards += [os.path.join(out, f"verify-scale-shard-{k}.json") for k in pair]
    merged = os.path.join(out, "verify-scale-merged.json")
    merge = measured([soaptape, "report", "merge", *shards, "--json", merged, "--quiet"])

    def verdicts(path):
        report = json.load(open(path))
        return report["summary"], [(s["cassette"], c["sequence"], c["verdict"]) for s in report["suites"] for c in s["cases"]]

    same = verdicts(whole) == verdicts(merged)
    print(json.dumps({"what": "4 shards merged", "same_verdicts_and_counts": same, "whole_with_json": whole_run,
                      "merge": merge}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
