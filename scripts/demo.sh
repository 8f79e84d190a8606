#!/usr/bin/env bash
# A newcomer's first look: one SuperOffice response compared with a re-prefixed twin and a changed copy.
set -uo pipefail
bin=${1:-.build/debug/soaptape}
dir=Tests/Fixtures/envelopes
expected=$dir/Services88-ToggleFavourite-response.xml

if [ -t 1 ]; then bold=$'\033[1m'; plain=$'\033[0m'; else bold=''; plain=''; fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

say "The expected envelope: Favourite.ToggleFavourite's response, as SuperOffice documents it"
cat "$expected"

say "The same response from another SOAP stack: other prefixes (inside xsi:type too), declarations moved, a CDATA section"
cat "$dir/Services88-ToggleFavourite-response-twin.xml"

say "soaptape diff expected twin   → equal, exit 0"
"$bin" diff "$expected" "$dir/Services88-ToggleFavourite-response-twin.xml"
echo "(exit $?)"

say "soaptape diff expected changed   → the difference, by path, exit 1"
"$bin" diff "$expected" "$dir/Services88-ToggleFavourite-response-changed.xml"
status=$?
echo "(exit $status)"

say "A byte-blind tool sees far more: diff -u of the raw files"
diff -u "$expected" "$dir/Services88-ToggleFavourite-response-twin.xml" | head -n 12
echo "…"

[ "$status" -eq 1 ] || { echo "demo: expected exit 1 for the changed copy, got $status" >&2; exit 1; }
