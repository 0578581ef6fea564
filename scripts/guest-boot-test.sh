#!/usr/bin/env bash
# Release-mode guest boot test: builds the default guest kit (Debian's i386 kernel + busybox
# initramfs) and boots it on Partita, checking the serial console for the kit's ready marker and
# the busybox shell. Prints a closing "N passed, M failed" line.
# If the kit cannot be fetched (no package registry), the test says "skipped: ..." instead.
set -uo pipefail
cd "$(dirname "$0")/.."
partita=.build/release/partita
[ -x "$partita" ] || swift build -c release --product partita
log=$(mktemp -d)/serial.log
if ! kit=$("$partita" guest fetch 2>"$log.fetch"); then
    echo "skipped: the guest kit could not be built: $(tail -1 "$log.fetch")"
    exit 0
fi
kernel=$(echo "$kit" | tail -2 | head -1)
initrd=$(echo "$kit" | tail -1)
echo "== guest boot: $kernel =="
start=$(date +%s)
"$partita" run --kernel "$kernel" --initrd "$initrd" --memory 256M \
    --append "console=ttyS0 noapic nolapic acpi=off" --serial "file:$log" --timeout 600 &
pid=$!
passed=0
for _ in $(seq 1 600); do
    if grep -q "partita-guest: ready" "$log" 2>/dev/null && grep -q "built-in shell" "$log" 2>/dev/null; then
        passed=1
        break
    fi
    kill -0 $pid 2>/dev/null || break
    sleep 1
done
kill $pid 2>/dev/null; wait $pid 2>/dev/null
if [ $passed = 1 ]; then
    echo "guest reached its shell in $(( $(date +%s) - start )) s (wall clock)"
    grep -m1 "Linux version" "$log"
    echo "1 passed, 0 failed"
else
    echo "the guest did not reach its shell; last console lines:"
    tail -20 "$log"
    echo "0 passed, 1 failed"
    exit 1
fi
