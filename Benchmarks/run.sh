#!/usr/bin/env bash
# `make bench`: soaptape's compare against libxml2's bare parse, lxml C14N 2.0, xmllint --exc-c14n and
# XMLUnit similar(), all on the same generated envelopes in one run. Writes bench-output/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench-output
scripts/ensure-deps.sh xmllint xmlunit java python3-venv nginx wrk gnu-time
swift build -c release --product soaptape-bench >&2
swift build -c release --product soaptape >&2
bench=.build/release/soaptape-bench
mkdir -p "$out"
echo "generating envelopes…" >&2
"$bench" generate "$out"
if [ ! -x "$out/venv/bin/python" ]; then python3 -m venv "$out/venv"; fi
"$out/venv/bin/pip" install -q lxml mitmproxy==11.0.2 >&2
mkdir -p "$out/java"
javac -d "$out/java" -cp /usr/share/java/xmlunit.jar Benchmarks/anchors/XMLUnitBench.java

echo "timing soaptape and libxml2…" >&2
"$bench" time "$out" > "$out/soaptape.jsonl"
: > "$out/memory.txt"
for mode in soaptape libxml2; do
    for _ in 1 2 3; do
        echo "$mode $("$bench" memory "$mode" "$out/10MB-expected.xml" "$out/10MB-twin.xml")" >> "$out/memory.txt"
    done
done
echo "timing lxml…" >&2
"$out/venv/bin/python" Benchmarks/anchors/lxml_bench.py "$out" > "$out/lxml.jsonl"
echo "timing XMLUnit…" >&2
java -cp "/usr/share/java/xmlunit.jar:$out/java" XMLUnitBench "$out" > "$out/xmlunit.jsonl"
echo "timing xmllint…" >&2
python3 Benchmarks/anchors/xmllint_bench.py "$out" > "$out/xmllint.jsonl"
echo "timing the record and shadow proxies against nginx and mitmproxy (wrk)…" >&2
# Several runs (BENCH_RUNS, default 3): one run on these shared cores says little; report.py gives the spread.
rm -f "$out"/proxy-*.jsonl "$out"/serve-*.jsonl
for run in $(seq 1 "${BENCH_RUNS:-3}"); do
    python3 Benchmarks/proxy_bench.py "$out" .build/release/soaptape "$out/venv/bin/mitmdump" > "$out/proxy-$run.jsonl"
done
echo "timing serve (10,000 interactions) against nginx and mitmproxy's server replay, and verify…" >&2
for run in $(seq 1 "${BENCH_RUNS:-3}"); do
    python3 Benchmarks/serve_bench.py "$out" .build/release/soaptape "$out/venv/bin/mitmdump" "$out/venv/bin/python" \
        > "$out/serve-$run.jsonl"
done
cat "$out"/serve-*.jsonl > "$out/serve.jsonl"
{
    echo "lxml $("$out/venv/bin/python" -c 'import lxml.etree as e; print(e.__version__, "with libxml2", ".".join(map(str, e.LIBXML_VERSION)))')"
    echo "system libxml2 $(xmllint --version 2>&1 | head -n 1)"
    echo "$(java -version 2>&1 | head -n 1), XMLUnit $(basename "$(readlink -f /usr/share/java/xmlunit.jar)")"
    echo "$(swift --version 2>&1 | head -n 1)"
    echo "$(nproc) cores, $(uname -m)"
    echo "$(nginx -v 2>&1), wrk $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f2), mitmproxy $("$out/venv/bin/mitmdump" --version 2>/dev/null | head -n 1 | cut -d' ' -f2)"
} > "$out/versions.txt"
python3 Benchmarks/report.py "$out" > "$out/results.md"
cat "$out/results.md"
echo "timing validation against the Favourite WSDL next to xmllint --schema and lxml…" >&2
python3 Benchmarks/validate_bench.py "$out" .build/release/soaptape "$out/venv/bin/python" > "$out/validate.jsonl"
echo; echo "serve and verify (raw, bench-output/serve.jsonl):"; cat "$out/serve.jsonl"
echo "verify at scale: 1,000,000 generated interactions (2.7 GB), peak RSS and time next to lxml's parse, 3 runs;" \
    "then 4 shards merged…" >&2
"$out/venv/bin/python" Benchmarks/verify_scale_bench.py "$out" .build/release/soaptape "$out/venv/bin/python" \
    "${VERIFY_SCALE:-1000000}" 3 yes > "$out/verify-scale.jsonl"
echo; echo "verify at scale (raw, bench-output/verify-scale.jsonl):"; cat "$out/verify-scale.jsonl"
echo; echo "validate (raw, bench-output/validate.jsonl):"; cat "$out/validate.jsonl"
