"""Turns the JSON lines of one `make bench` run into the Markdown table kept in docs/benchmarks.md."""
import glob
import json
import statistics
import sys
from collections import defaultdict


def load(path):
    rows = {}
    with open(path) as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                rows[(row["pair"], row["variant"])] = row
    return rows


def ms(seconds):
    return f"{seconds * 1000:.3f}" if seconds < 1 else f"{seconds * 1000:.0f}"


def verdict(equal, variant):
    right = equal if variant == "twin" else not equal
    return ("equal" if equal else "different") + ("" if right else " ✗")


def main(directory):
    soaptape = load(f"{directory}/soaptape.jsonl")
    lxml = load(f"{directory}/lxml.jsonl")
    xmlunit = load(f"{directory}/xmlunit.jsonl")
    xmllint = load(f"{directory}/xmllint.jsonl")
    print("| pair | variant | size (both) | soaptape ms | libxml2 parse ms | × parse | soaptape MB/s "
          "| lxml C14N 2.0 ms | lxml ÷ soaptape | XMLUnit ms | XMLUnit ÷ soaptape | xmllint --exc-c14n ms "
          "| verdicts: soaptape / lxml / lxml w/o qname / exc-c14n / XMLUnit / xmllint |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for key, row in soaptape.items():
        pair, variant = key
        l, x, t = lxml.get(key, {}), xmlunit.get(key, {}), xmllint.get(key, {})
        s = row["soaptape_s"]
        size = row["bytes"]
        cells = [
            pair, variant, f"{size / 1024:.1f} KB" if size < 1 << 20 else f"{size / (1 << 20):.1f} MB",
            ms(s), ms(row["libxml2_parse_s"]), f"{s / row['libxml2_parse_s']:.2f}",
            f"{size / s / 1e6:.0f}",
            ms(l["lxml_s"]) if l else "–", f"{l['lxml_s'] / s:.1f}×" if l else "–",
            ms(x["xmlunit_s"]) if x else "–", f"{x['xmlunit_s'] / s:.1f}×" if x else "–",
            ms(t["xmllint_s"]) + " (2 processes)" if t else "–",
            " / ".join([
                verdict(row["soaptape_equal"], variant),
                verdict(l["lxml_equal"], variant) if l else "–",
                verdict(l["lxml_plain_equal"], variant) if l and "lxml_plain_equal" in l else "–",
                verdict(l["exc_c14n_equal"], variant) if l and "exc_c14n_equal" in l else "–",
                verdict(x["xmlunit_equal"], variant) if x else "–",
                verdict(t["xmllint_equal"], variant) if t else "–",
            ]),
        ]
        print("| " + " | ".join(cells) + " |")
    memory = defaultdict(list)
    with open(f"{directory}/memory.txt") as handle:
        for line in handle:
            mode, value = line.split()
            memory[mode].append(int(value))
    soap, lib = statistics.median(memory["soaptape"]), statistics.median(memory["libxml2"])
    print()
    print(f"Peak memory for the 10 MB pair (median of 3 processes, resident memory above start): "
          f"soaptape compare {soap / 2**20:.0f} MiB; libxml2 holding both documents as trees "
          f"{lib / 2**20:.0f} MiB; ratio {soap / lib:.2f}.")
    # The record proxy: one table row per target over every run (proxy-1.jsonl, proxy-2.jsonl, …; proxy.jsonl from
    # older runs), each figure the median with the runs' range, ratios taken within each run.
    paths = sorted(glob.glob(f"{directory}/proxy-*.jsonl")) or [f"{directory}/proxy.jsonl"]
    runs = []
    for path in paths:
        try:
            rows = [json.loads(line) for line in open(path) if line.strip()]
        except FileNotFoundError:
            continue
        if rows:
            runs.append({row["target"]: row for row in rows})
    if runs:
        def spread(values, form):
            values = sorted(values)
            if not values:
                return ""
            middle = statistics.median(values)
            return form(middle) if len(values) == 1 else f"{form(middle)} ({form(values[0])}–{form(values[-1])})"

        print()
        print(f"Record and shadow proxies: wrk -t2 -c50, a 1.2 KB SOAP POST, a 1 KB SOAP answer from nginx; "
              f"{len(runs)} run(s), median (range). CPU per request does not depend on how busy the machine is; "
              "throughput does (docs/benchmarks.md, why the ratio moves). soaptape shadow: --shadow-all, candidate "
              "and secondary two more ports of the same nginx worker.")
        print()
        print("| through | requests/s | p50 ms | p99 ms | ÷ nginx proxy | × mitmproxy | CPU µs per request (its own) "
              "| machine idle | notes |")
        print("|---|---|---|---|---|---|---|---|---|")
        for target in runs[0]:
            rows = [run[target] for run in runs if target in run]
            ratios = [run[target]["rps"] / run["nginx reverse proxy (no recording)"]["rps"] * 100 for run in runs
                      if target in run and "nginx reverse proxy (no recording)" in run]
            times = [run[target]["rps"] / run["mitmproxy reverse mode, saving flows"]["rps"] for run in runs
                     if target in run and "mitmproxy reverse mode, saving flows" in run]
            own = [value for row in rows for key, value in row.items()
                   if key.endswith("_cpu_us_per_request") and not key.startswith(("wrk", "upstream"))]
            idle = [row["machine_idle_share"] * 100 for row in rows if "machine_idle_share" in row]
            notes = ""
            recorded = [row for row in rows if "recorded" in row]
            if recorded:
                notes = "every answered request recorded; peak RSS " + spread(
                    [row["rss_peak_mib"] for row in recorded], lambda v: f"{v:.0f} MiB")
            checked = [row for row in rows if "checked_in_window" in row]
            if checked:
                # requests/s as a share of soaptape record's, within each run (the goal: at least 85%).
                share = [run[target]["rps"] / run["soaptape record"]["rps"] * 100 for run in runs
                         if target in run and "soaptape record" in run]
                notes = ("throughput " + spread(share, lambda v: f"{v:.0f}%") + " of record's; checked while wrk ran "
                         + spread([row["checked_in_window"] / max(1, row["recorded_in_window"]) * 100
                                   for row in checked], lambda v: f"{v:.0f}%")
                         + " of the recorded, the rest at stop in " + spread([row["stop_seconds"] for row in checked],
                                                                             lambda v: f"{v:.1f} s")
                         + "; peak RSS " + spread([row["rss_peak_mib"] for row in checked], lambda v: f"{v:.0f} MiB"))
            shadowed = [row for row in rows if "shadowed_per_s" in row]
            if shadowed:
                # p50 over soaptape record's, within each run (the goal: within +1 ms).
                over = [run[target]["p50_ms"] - run["soaptape record"]["p50_ms"] for run in runs
                        if target in run and "soaptape record" in run]
                notes = ("shadowed " + spread([row["shadowed_per_s"] for row in shadowed], lambda v: f"{v:,.0f}")
                         + " requests/s (to candidate and secondary), dropped "
                         + spread([row["dropped"] for row in shadowed], lambda v: f"{v:,.0f}")
                         + " in wrk's window; p50 over record's "
                         + spread(over, lambda v: f"{v:+.2f} ms") + "; peak RSS "
                         + spread([row["rss_peak_mib"] for row in shadowed], lambda v: f"{v:.0f} MiB"))
            print(f"| {target} | {spread([row['rps'] for row in rows], lambda v: f'{v:,.0f}')} | "
                  f"{spread([row['p50_ms'] for row in rows], lambda v: f'{v:.2f}')} | "
                  f"{spread([row['p99_ms'] for row in rows], lambda v: f'{v:.2f}')} | "
                  f"{spread(ratios, lambda v: f'{v:.1f}%')} | {spread(times, lambda v: f'{v:.1f}×')} | "
                  f"{spread(own, lambda v: f'{v:.1f}')} | {spread(idle, lambda v: f'{v:.0f}%')} | {notes} |")
    print()
    print("Versions: " + "; ".join(open(f"{directory}/versions.txt").read().strip().splitlines()) + ".")
    print()
    print("✗ marks a wrong verdict: the twin is the same message (other prefixes, also inside xsi:type; other "
          "indentation; reordered attributes; declarations moved inward), the changed copy differs in one value.")


if __name__ == "__main__":
    main(sys.argv[1])
