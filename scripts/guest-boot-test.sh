#!/usr/bin/env bash
# Release-mode guest boot test: builds the default guest kit (Debian's i386 kernel + busybox
# initramfs) and boots it on Partita with the serial console on a pipe: waits for the kit's ready
# marker and the busybox shell, types a command and checks the guest's answer.
# Prints a closing "N passed, M failed" line. If the kit cannot be fetched (no package registry),
# the test says "skipped: ..." instead.
set -uo pipefail
cd "$(dirname "$0")/.."
partita=.build/release/partita
[ -x "$partita" ] || swift build -c release --product partita
work=$(mktemp -d)
log=$work/console.log
if ! kit=$("$partita" guest fetch 2>"$work/fetch.err"); then
    echo "skipped: the guest kit could not be built: $(tail -1 "$work/fetch.err")"
    exit 0
fi
kernel=$(echo "$kit" | tail -2 | head -1)
initrd=$(echo "$kit" | tail -1)
echo "== guest boot: $kernel =="
mkfifo "$work/input"
start=$(date +%s)
"$partita" run --kernel "$kernel" --initrd "$initrd" --memory 256M \
    --append "console=ttyS0 noapic nolapic acpi=off" --serial stdio --timeout 600 \
    < "$work/input" > "$log" 2>&1 &
pid=$!
exec 3> "$work/input"

wait_for() {  # pattern, seconds
    for _ in $(seq 1 "$2"); do
        grep -aq "$1" "$log" 2>/dev/null && return 0
        kill -0 $pid 2>/dev/null || return 1
        sleep 1
    done
    return 1
}

passed=0 failed=0
if wait_for "partita-guest: ready" 600 && wait_for "built-in shell" 60; then
    echo "guest reached its shell in $(( $(date +%s) - start )) s (wall clock)"
    grep -am1 "Linux version" "$log"
    passed=$((passed + 1))
    printf 'echo answer=$((6*7))\n' >&3
    if wait_for "answer=42" 120; then
        echo "the shell ran a typed command"
        passed=$((passed + 1))
    else
        echo "the shell did not answer a typed command"
        failed=$((failed + 1))
    fi
else
    echo "the guest did not reach its shell"
    failed=$((failed + 1))
fi
exec 3>&-
kill $pid 2>/dev/null; wait $pid 2>/dev/null
if [ $failed -gt 0 ]; then
    echo "last console lines:"
    tail -20 "$log"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
