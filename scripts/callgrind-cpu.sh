#!/bin/bash
# Repeatable interpreter cost: host instructions (callgrind's Ir) per guest instruction for each
# `partita bench cpu` loop. Wall-clock MIPS on a shared 2-core machine move by ±20% between runs;
# these counts move by well under 1%, so compare them before and after an interpreter change.
# Usage: scripts/callgrind-cpu.sh [PARTITA_BINARY] [SCALE]   (default .build/release/partita, 0.05)
# Each loop runs twice (SCALE and 2×SCALE) and the difference is reported, so process start-up
# and set-up cancel out. Needs valgrind (apt-get install valgrind). valgrind cannot read the DWARF 5 debug info Swift
# emits, so a copy of the binary without debug info is measured.
set -euo pipefail
binary=${1:-.build/release/partita}
scale=${2:-0.05}
command -v valgrind >/dev/null || { echo "valgrind not installed (apt-get install valgrind)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$binary" "$work/partita"
strip --strip-debug "$work/partita"
measure() { # workload scale -> "Ir guest"
    local out
    out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$work/partita" bench cpu --runs 1 --scale "$2" --only "$1" 2>&1)
    echo "$(echo "$out" | sed -n 's/.*Collected : \([0-9]*\).*/\1/p') $(echo "$out" | sed -n 's/.*(\([0-9]*\) instructions in.*/\1/p' | head -1)"
}
# Each loop runs at SCALE and 2×SCALE; the difference cancels start-up and set-up costs.
printf '%-10s %16s %16s %10s\n' loop "host Ir (Δ)" "guest instr (Δ)" "Ir/instr"
for w in alu memory call/ret "rep movsd" crc32; do
    read -r ir1 g1 <<<"$(measure "$w" "$scale")"
    read -r ir2 g2 <<<"$(measure "$w" "$(echo "$scale * 2" | bc -l)")"
    printf '%-10s %16d %16d %10.1f\n' "$w" $((ir2 - ir1)) $((g2 - g1)) "$(echo "($ir2 - $ir1) / ($g2 - $g1)" | bc -l)"
done
