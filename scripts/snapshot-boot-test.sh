#!/usr/bin/env bash
# Release-mode snapshot test on a real guest: boots the default guest kit and stops it mid-boot
# with a snapshot (--stop-after, --save-on-exit), restores it in a new process and checks that
# the guest reaches its shell and answers a typed command; then saves again with SIGUSR1 while a
# shell loop runs, kills that process, restores the second snapshot and checks that the loop
# finishes with the right count. Prints "N passed, M failed"; says "skipped: ..." when the kit
# cannot be fetched.
set -uo pipefail
source "$(dirname "$0")/guest-lib.sh"

echo "== snapshot mid-boot =="
"$partita" run --kernel "$kernel" --initrd "$initrd" --memory 256M --append "console=ttyS0" \
    --serial file:"$work/boot1.log" --clock virtual --rtc-start 2026-01-01 \
    --stop-after 2500000000 --save-on-exit "$work/mid-boot.snap" --timeout 600 > "$work/run1.out" 2>&1
status=$?
check "the run stops at --stop-after and saves (exit $status)" test "$status" -eq 0 -a -s "$work/mid-boot.snap"
check "it stopped before the guest was ready" bash -c "! grep -aq 'partita-guest: ready' '$work/boot1.log'"
"$partita" snapshot info "$work/mid-boot.snap" > "$work/info.txt" 2>&1
check "partita snapshot info reads the manifest" grep -q "\"ramSize\" : 268435456" "$work/info.txt"

mkfifo "$work/in2"
"$partita" run --restore "$work/mid-boot.snap" --serial stdio --timeout 600 --snapshot-file "$work/loop.snap" \
    < "$work/in2" > "$work/boot2.log" 2>&1 &
pid=$!
exec 3> "$work/in2"
if wait_for "$work/boot2.log" "partita-guest: ready" 600 $pid && wait_for "$work/boot2.log" "built-in shell" 60 $pid; then
    check "the restored guest finishes booting to its shell" true
    printf 'echo answer=$((6*7))\n' >&3
    check "the restored guest's shell runs a typed command" wait_for "$work/boot2.log" "answer=42" 120 $pid
    printf 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo LOOP""DONE $i\n' >&3
    sleep 3
    kill -USR1 $pid
    for _ in $(seq 1 60); do [ -s "$work/loop.snap" ] && break; sleep 1; done
    sleep 1
    check "SIGUSR1 saves a snapshot while the loop runs" test -s "$work/loop.snap"
    check "the loop had not finished when it was saved" bash -c "! grep -aq 'LOOPDONE' '$work/boot2.log'"
else
    check "the restored guest finishes booting to its shell" false
fi
exec 3>&-
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null

if [ -s "$work/loop.snap" ]; then
    mkfifo "$work/in3"
    "$partita" run --restore "$work/loop.snap" --serial stdio --timeout 600 < "$work/in3" > "$work/boot3.log" 2>&1 &
    pid=$!
    exec 4> "$work/in3"
    check "the loop continues after the restore and counts to the end" wait_for "$work/boot3.log" "LOOPDONE 200000" 600 $pid
    printf 'poweroff -f\n' >&4
    for _ in $(seq 1 60); do kill -0 $pid 2>/dev/null || break; sleep 1; done
    exec 4>&-
    kill $pid 2>/dev/null; wait $pid 2>/dev/null
fi
if [ $failed -gt 0 ]; then
    for f in boot1.log run1.out boot2.log boot3.log; do
        [ -f "$work/$f" ] && { echo "--- $f (tail)"; tail -8 "$work/$f"; }
    done
fi
rm -f "$work"/*.snap
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
