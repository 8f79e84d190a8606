"""lxml anchor for `make bench`: C14N 2.0 with prefixes rewritten and xsi:type QName-aware, then string equality.

Usage: python lxml_bench.py DIR   (prints one JSON line per pair, like soaptape-bench time)
"""
import json
import statistics
import sys
import time

from lxml import etree

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
SIZES = ["1KB", "100KB", "10MB"]


def canonical(data, qname_aware=True):
    options = dict(strip_text=True, rewrite_prefixes=True)
    if qname_aware:
        options["qname_aware_attrs"] = [XSI_TYPE]
    return etree.canonicalize(data, **options)


def exclusive_c14n(data):
    return etree.tostring(etree.fromstring(data.encode()), method="c14n", exclusive=True)


def median_seconds(body, budget=1.0):
    body()
    start = time.perf_counter()
    body()
    once = time.perf_counter() - start
    per_batch = max(1, int(0.05 / max(once, 1e-9)))
    samples = []
    began = time.perf_counter()
    while len(samples) < 5 or time.perf_counter() - began < budget:
        t0 = time.perf_counter()
        for _ in range(per_batch):
            body()
        samples.append((time.perf_counter() - t0) / per_batch)
        if len(samples) >= 200:
            break
    return statistics.median(samples)


def read(path):
    with open(path, encoding="utf-8") as handle:
        # canonicalize() takes text; drop the XML declaration, which a str may not carry.
        text = handle.read()
        return text.split("?>", 1)[1] if text.startswith("<?xml") else text


def main(directory):
    for size in SIZES:
        expected = read(f"{directory}/{size}-expected.xml")
        for variant in ("twin", "changed"):
            actual = read(f"{directory}/{size}-{variant}.xml")
            budget = 4.0 if size == "10MB" else 1.0
            seconds = median_seconds(lambda: canonical(expected) == canonical(actual), budget)
            print(json.dumps({
                "pair": size, "variant": variant, "lxml_s": seconds,
                "lxml_equal": canonical(expected) == canonical(actual),
                "lxml_plain_equal": canonical(expected, qname_aware=False) == canonical(actual, qname_aware=False),
                "exc_c14n_equal": exclusive_c14n(expected) == exclusive_c14n(actual),
            }), flush=True)
    pairs = [(read(f"{directory}/small/{n:04d}-expected.xml"), read(f"{directory}/small/{n:04d}-twin.xml"))
             for n in range(1, 1001)]
    seconds = median_seconds(lambda: [canonical(a) == canonical(b) for a, b in pairs], 3.0)
    print(json.dumps({"pair": "1000 small", "variant": "twin", "lxml_s": seconds,
                      "lxml_equal": all(canonical(a) == canonical(b) for a, b in pairs)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
