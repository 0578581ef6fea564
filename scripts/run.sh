#!/usr/bin/env bash
# The README's main command: installs what is needed, builds a release binary and runs the main job.
# Until the PC platform lands (issue 3) the main job is the CPU: benchmarks and the hardware
# conformance suites.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product partita
.build/release/partita bench cpu
if [ -d ../shared/testdata/sst80286 ]; then
    .build/release/partita conformance sst ../shared/testdata/sst80286 ../shared/testdata/sst80386-sample
fi
