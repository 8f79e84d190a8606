"""Turns the JSON lines of one `make bench` run into the Markdown table kept in docs/benchmarks.md."""
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
    proxy_path = f"{directory}/proxy.jsonl"
    try:
        rows = [json.loads(line) for line in open(proxy_path) if line.strip()]
    except FileNotFoundError:
        rows = []
    if rows:
        by = {row["target"]: row for row in rows}
        nginx_proxy = by.get("nginx reverse proxy (no recording)", {}).get("rps")
        mitm = by.get("mitmproxy reverse mode, saving flows", {}).get("rps")
        direct = by.get("nginx direct", {}).get("p50_ms")
        direct_one = by.get("nginx direct", {}).get("p50_one_connection_ms")
        print()
        print("Record proxy: wrk -t2 -c50, a 1.2 KB SOAP POST, a 1 KB SOAP answer from nginx.")
        print()
        print("| through | requests/s | p50 ms | p99 ms | ÷ nginx proxy | × mitmproxy | p50 over direct "
              "| one connection: p50 over direct | notes |")
        print("|---|---|---|---|---|---|---|---|---|")
        for row in rows:
            notes = ""
            if "recorded" in row:
                notes = (f"{row['recorded']} interactions recorded ({row['requests']} completed in wrk's window); "
                         f"RSS {row['rss_start_mib']:.0f} → {row['rss_end_mib']:.0f} MiB, peak {row['rss_peak_mib']:.0f} MiB")
            if row["non_2xx"]:
                notes += f"; {row['non_2xx']} non-2xx"
            print(f"| {row['target']} | {row['rps']:,.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | "
                  f"{row['rps'] / nginx_proxy * 100:.0f}% | {row['rps'] / mitm:.1f}× | "
                  f"+{row['p50_ms'] - direct:.2f} ms | "
                  f"+{(row.get('p50_one_connection_ms') or 0) - (direct_one or 0):.3f} ms | {notes} |")
    print()
    print("Versions: " + "; ".join(open(f"{directory}/versions.txt").read().strip().splitlines()) + ".")
    print()
    print("✗ marks a wrong verdict: the twin is the same message (other prefixes, also inside xsi:type; other "
          "indentation; reordered attributes; declarations moved inward), the changed copy differs in one value.")


if __name__ == "__main__":
    main(sys.argv[1])
