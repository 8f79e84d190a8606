#!/usr/bin/env bash
# A newcomer's first look: one SuperOffice response compared with a re-prefixed twin and a changed copy, then the
# whole loop: sandbox, record, verify, serve (a client replayed), replay (a server replayed), an altered answer caught.
set -uo pipefail
bin=$(cd "$(dirname "${1:-.build/debug/soaptape}")" && pwd)/$(basename "${1:-.build/debug/soaptape}")
fixtures=Tests/Fixtures/envelopes
work=demo-output
mkdir -p "$work"
cp "$fixtures/Services88-ToggleFavourite-response.xml" "$work/expected.xml"
cp "$fixtures/Services88-ToggleFavourite-response-twin.xml" "$work/twin.xml"
cp "$fixtures/Services88-ToggleFavourite-response-changed.xml" "$work/changed.xml"
cd "$work"

# Waits until the log file $1 of process $2 names the address it listens on, and prints that address.
wait_for_url() {
    for _ in $(seq 1 200); do
        url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$1" | head -n 1 || true)
        [ -n "$url" ] && { echo "$url"; return 0; }
        kill -0 "$2" 2>/dev/null || break
        sleep 0.05
    done
    cat "$1" >&2
    return 1
}

if [ -t 1 ]; then bold=$'\033[1m'; plain=$'\033[0m'; else bold=''; plain=''; fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

say "expected.xml: Favourite.ToggleFavourite's response, as SuperOffice documents it"
cat expected.xml

say "twin.xml: the same response from another SOAP stack (other prefixes, inside xsi:type too; declarations moved; CDATA)"
cat twin.xml

say "soaptape diff expected.xml twin.xml   → equal, exit 0"
"$bin" diff expected.xml twin.xml
echo "(exit $?)"

say "soaptape diff expected.xml changed.xml   → the difference, by path, exit 1"
"$bin" diff expected.xml changed.xml
status=$?
echo "(exit $status)"

say "what a byte-blind tool sees in the twin: diff -u expected.xml twin.xml | head"
diff -u expected.xml twin.xml | head -n 12
echo "…"

[ "$status" -eq 1 ] || { echo "demo: expected exit 1 for the changed copy, got $status" >&2; exit 1; }

# The sandbox: every spec under specs/ served on a free port, no SuperOffice needed.
cd ..
say "soaptape sandbox --specs specs --listen 127.0.0.1:0   (in the background)"
log=$work/sandbox.log
"$bin" sandbox --specs specs --listen 127.0.0.1:0 > "$log" 2>&1 &
sandbox=$!
trap 'kill "$sandbox" 2>/dev/null' EXIT
url=$(wait_for_url "$log" "$sandbox") || { echo "demo: the sandbox did not start" >&2; exit 1; }
head -n 1 "$log"

for operation in Services88/Favourite/ToggleFavourite Services83/CustomerService/UpdateFeatureToggles \
                 Services86/ErpSync/ToggleErpConnectionActive; do
    say "soaptape send $operation --to $url"
    "$bin" send "$operation" --to "$url" --set TableName=contact --set RecordId=42 || exit 1
done
say "the same ToggleFavourite again: its example answers true, then false"
"$bin" send Services88/Favourite/ToggleFavourite --to "$url" --soap 1.1 --set TableName=contact --set RecordId=42 | grep Response

# The record proxy in front of the sandbox: clients talk to it, it records what passes, secrets redacted.
cassette=$work/seed-operations.yaml
rm -f "$cassette"
say "soaptape record --upstream $url --cassette $cassette   (in the background)"
recordlog=$work/record.log
"$bin" record --upstream "$url" --cassette "$cassette" --listen 127.0.0.1:0 > "$recordlog" 2>&1 &
recorder=$!
trap 'kill "$sandbox" "$recorder" 2>/dev/null' EXIT
proxy=$(wait_for_url "$recordlog" "$recorder") || { echo "demo: the record proxy did not start" >&2; exit 1; }
head -n 1 "$recordlog"
for operation in Services88/Favourite/ToggleFavourite Services83/CustomerService/UpdateFeatureToggles \
                 Services86/ErpSync/ToggleErpConnectionActive; do
    echo "soaptape send $operation --to $proxy --set Ticket=7T:aLiveLookingTicket0123456789=="
    "$bin" send "$operation" --to "$proxy" --set Ticket=7T:aLiveLookingTicket0123456789== > /dev/null || exit 1
done
kill -INT "$recorder"
wait "$recorder"
tail -n 4 "$recordlog"
say "the cassette: the first interaction (the ticket sent was redacted before it reached disk)"
sed -n '/^--- # interaction 1/,/^response:/p' "$cassette" | head -n 30
if grep -q 'aLiveLookingTicket' "$cassette"; then echo "demo: the ticket reached the cassette" >&2; exit 1; fi

operations=(Services88/Favourite/ToggleFavourite Services83/CustomerService/UpdateFeatureToggles
            Services86/ErpSync/ToggleErpConnectionActive)

# verify: offline, every recording against its spec.
say "soaptape verify $cassette   → every recording conforms to its spec (offline)"
"$bin" verify --specs specs "$cassette" || { echo "demo: verify failed" >&2; exit 1; }

# serve: the cassette answers a client under test; the sandbox is not involved.
say "soaptape serve $cassette   (a client replayed: the same requests, answered from the cassette)"
servelog=$work/serve.log
"$bin" serve "$cassette" --listen 127.0.0.1:0 --strict > "$servelog" 2> "$work/serve.err" &
server=$!
trap 'kill "$sandbox" "$server" 2>/dev/null' EXIT
served=$(wait_for_url "$servelog" "$server") || { echo "demo: serve did not start" >&2; exit 1; }
head -n 1 "$servelog"
for operation in "${operations[@]}"; do
    echo "soaptape send $operation --to $served"
    "$bin" send "$operation" --to "$served" --set Ticket=aDifferentTicket > /dev/null || exit 1
done
echo "soaptape send Services88/Favourite/ToggleFavourite --to $served --set RecordId=43   (not recorded)"
"$bin" send Services88/Favourite/ToggleFavourite --to "$served" --set RecordId=43 | fold -s -w 110
kill -TERM "$server"
wait "$server"
echo "(serve exited $? under --strict: one request matched no recording)"
sed -n '2,$p' "$servelog"

# replay: the recorded requests sent to the server again, answers compared with the recordings.
say "soaptape replay $cassette --target $url   → the server still answers as recorded"
"$bin" replay "$cassette" --target "$url" --set Ticket=7T:injectedAtReplayTime || { echo "demo: replay failed" >&2; exit 1; }

altered=$work/altered.yaml
report=$work/replay-report.html
sed 's#<Favourite:Response xsi:type="xsd:boolean">false</#<Favourite:Response xsi:type="xsd:boolean">true</#' \
    "$cassette" > "$altered"
say "the same replay against a copy whose recorded ToggleFavourite answer was altered (false → true)"
"$bin" replay "$altered" --target "$url" --set Ticket=7T:injectedAtReplayTime --set ApplicationToken=app --quiet \
    --html "$report"
status=$?
echo "(exit $status)"
[ "$status" -eq 1 ] || { echo "demo: expected exit 1 for the altered cassette, got $status" >&2; exit 1; }
echo "HTML report: $(cd "$(dirname "$report")" && pwd)/$(basename "$report")"

kill -TERM "$sandbox"
wait "$sandbox"
trap - EXIT
tail -n 1 "$log"

# Versions: what changed between service versions, for the seed operations and for real drift.
say "soaptape compare specs/Services84 specs/Services88 --operations <the seed operations>   → no change"
"$bin" compare specs/Services84 specs/Services88 \
    --operations Favourite/ToggleFavourite,CustomerService/UpdateFeatureToggles,ErpSync/ToggleErpConnectionActive || exit 1
say "soaptape compare specs/Services86 specs/Services88 --operations Sale/GetSale   → real drift"
"$bin" compare specs/Services86 specs/Services88 --operations Sale/GetSale || exit 1
