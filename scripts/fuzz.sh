#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (fuzzer + address sanitizers) and runs each for a while.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default: 60 seconds each, every target
# Targets: FuzzVMBusMessages, FuzzStorVSPPackets, FuzzSnapshotReader. Corpora persist in
# ~/.cache/partita/fuzz/<target> (outside the repository); a crash leaves its input in
# ~/.cache/partita/fuzz/crashes and makes the script exit non-zero. Needs the setup of
# scripts/setup.sh; not part of .ci/run (a second, sanitized build of the emulator).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzVMBusMessages FuzzStorVSPPackets FuzzSnapshotReader)
swift build -c release --package-path Fuzz --scratch-path "$PWD/.build-fuzz" --sanitize fuzzer --sanitize address
bin=$(swift build -c release --package-path Fuzz --scratch-path "$PWD/.build-fuzz" --sanitize fuzzer --sanitize address --show-bin-path)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/partita/fuzz
mkdir -p "$cache/crashes"
status=0
for t in "${targets[@]}"; do
    mkdir -p "$cache/$t"
    echo "== $t for $seconds s (corpus $cache/$t)"
    if ! "$bin/$t" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 \
        -artifact_prefix="$cache/crashes/$t-" "$cache/$t" 2>&1 | grep -E "^#[0-9]+.*(DONE|pulse)|ERROR|SUMMARY|Done"; then
        :
    fi
    [ ${PIPESTATUS[0]} -eq 0 ] || { echo "FAILED: $t (input saved under $cache/crashes)"; status=1; }
done
exit $status
