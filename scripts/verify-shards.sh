#!/usr/bin/env bash
# The committed cassettes verified in N shards (as N CI runners would), the shards' reports merged with
# `soaptape report merge`, and the merged JUnit compared with one unsharded run's: they must be the same.
# Usage: scripts/verify-shards.sh SOAPTAPE [N]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1
shards=${2:-3}
out=.build/verify-shards
rm -rf "$out" && mkdir -p "$out"
"$bin" verify --specs specs --require-spec cassettes --junit "$out/unsharded.xml" --quiet > "$out/unsharded.txt"
reports=()
for k in $(seq 1 "$shards"); do
    "$bin" verify --specs specs --require-spec cassettes --shard "$k/$shards" --json "$out/shard-$k.json" --quiet \
        > "$out/shard-$k.txt"
    reports+=("$out/shard-$k.json")
done
"$bin" report merge "${reports[@]}" --junit "$out/merged.xml" --quiet > "$out/merged.txt"
if ! diff -u "$out/unsharded.xml" "$out/merged.xml"; then
    echo "error: the merged JUnit of $shards shards differs from the unsharded one (above)" >&2
    exit 1
fi
echo "verify in $shards shards, merged: the same JUnit as one run ($(grep -c '<testcase' "$out/merged.xml") test cases)"
