#!/usr/bin/env bash
# Builds soaptape and its tests, and fails when the compiler warns about any file of ours (Sources/, Tests/):
# warnings from dependencies are theirs. Meant for a clean build (CI), where every file is compiled; an
# incremental build only shows the warnings of the files it recompiles.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift build --build-tests 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || exit "$status"
if grep -E "^$(pwd)/(Sources|Tests)/[^:]+:[0-9]+:[0-9]+: warning:" "$log" | sort -u; then
    echo "error: the build warns about our own sources (above); fix each warning before this can land" >&2
    exit 1
fi
echo "no compiler warnings from Sources/ or Tests/"
