#!/usr/bin/env bash
# Re-records cassettes/spyne/<Operation>.yaml: each seed operation called by the zeep client through
# `soaptape record` against the spyne server of Tests/Interop (the interop test's virtual environment).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build/interop-venv
if [ ! -f "$venv/.soaptape-ready" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q zeep==4.3.3 spyne==2.14.0 waitress==3.0.2
    touch "$venv/.soaptape-ready"
fi
swift build --product soaptape >/dev/null
bin=.build/debug/soaptape
mkdir -p cassettes/spyne demo-output
"$venv/bin/python" Tests/Interop/spyne_server.py > demo-output/spyne.log 2>&1 &
spyne=$!
trap 'kill $spyne 2>/dev/null' EXIT
until grep -q listening demo-output/spyne.log; do sleep 0.1; done
upstream=$(grep -o 'http://127\.0\.0\.1:[0-9]*' demo-output/spyne.log)
for operation in ToggleFavourite UpdateFeatureToggles ToggleErpConnectionActive; do
    cassette=cassettes/spyne/$operation.yaml
    rm -f "$cassette"
    "$bin" record --upstream "$upstream" --cassette "$cassette" --listen 127.0.0.1:0 > demo-output/record.log &
    recorder=$!
    until grep -q proxying demo-output/record.log; do sleep 0.1; done
    proxy=$(grep -o 'http://127\.0\.0\.1:[0-9]*' demo-output/record.log | head -n 1)
    "$venv/bin/python" Tests/Interop/zeep_client.py "$proxy" "$operation"
    kill -INT $recorder
    wait $recorder
    tail -n +2 demo-output/record.log
done
