#!/usr/bin/env bash
# `make fuzz`: builds each libFuzzer target (Tests/Fuzz) with -sanitize=fuzzer,address in .build-fuzz and runs it for
# FUZZ_SECONDS (default 60) on a corpus seeded from the repository's envelopes, specs and cassettes. A crash or hang
# leaves its input in bench-output/fuzz/<target>/ (libFuzzer's crash-…/timeout-… files) and fails the run.
# FUZZ_RUNS caps the executions instead. Inputs that must be files are written under TMPDIR (/dev/shm when there is
# one), and AddressSanitizer keeps no allocation stacks (malloc_context_size=0, twice the speed); to see them for a
# finding, run the target on its artifact with ASAN_OPTIONS unset.
# Usage: scripts/fuzz.sh [target…]   (targets: fuzz-xml fuzz-spec fuzz-cassette fuzz-soap)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:--1}
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz-xml fuzz-spec fuzz-cassette fuzz-soap)
out=bench-output/fuzz
[ -d /dev/shm ] && [ -w /dev/shm ] && export TMPDIR=${TMPDIR:-/dev/shm}
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0}
for target in "${targets[@]}"; do
    echo "building $target…" >&2
    SOAPTAPE_FUZZ=1 swift build -c release --build-path .build-fuzz --product "$target" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -g >&2
    corpus=$out/$target/corpus
    mkdir -p "$corpus" "$out/$target/artifacts"
    case "$target" in
        fuzz-xml) cp Tests/Fixtures/envelopes/*.xml "$corpus"/ ;;
        fuzz-spec) find specs -name '*.yaml' -exec cp {} "$corpus"/ \; ;;
        fuzz-cassette) find cassettes -name '*.yaml' -exec cp {} "$corpus"/ \; ;;
        fuzz-soap)
            for file in Tests/Fixtures/envelopes/*.xml; do
                { printf 'text/xml; charset=utf-8\n"ToggleFavourite"\n'; cat "$file"; } > "$corpus/11-$(basename "$file")"
                { printf 'application/soap+xml; charset=utf-8; action="x"\n\n'; cat "$file"; } > "$corpus/12-$(basename "$file")"
            done ;;
    esac
    echo "fuzzing $target for ${seconds}s…" >&2
    LSAN_OPTIONS="suppressions=$PWD/Tests/Fuzz/lsan.supp:print_suppressions=0" ".build-fuzz/release/$target" "$corpus" -max_total_time="$seconds" -runs="$runs" -timeout=10 -rss_limit_mb=4096 \
        -artifact_prefix="$out/$target/artifacts/" -print_final_stats=1 2>&1 | tail -n 20
done
