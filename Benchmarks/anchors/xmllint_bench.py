"""xmllint anchor for `make bench`: `xmllint --exc-c14n` on both documents (one process each), output compared.

Usage: python xmllint_bench.py DIR   (JSON lines). Process start-up is included: that is how xmllint is used.
"""
import json
import statistics
import subprocess
import sys
import time


def c14n(path):
    return subprocess.run(["xmllint", "--exc-c14n", path], capture_output=True, check=True).stdout


def main(directory):
    for size in ["1KB", "100KB", "10MB"]:
        expected = f"{directory}/{size}-expected.xml"
        for variant in ("twin", "changed"):
            actual = f"{directory}/{size}-{variant}.xml"
            runs = 5 if size == "10MB" else 30
            samples = []
            for _ in range(runs):
                start = time.perf_counter()
                equal = c14n(expected) == c14n(actual)
                samples.append(time.perf_counter() - start)
            print(json.dumps({"pair": size, "variant": variant, "xmllint_s": statistics.median(samples),
                              "xmllint_equal": equal}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
