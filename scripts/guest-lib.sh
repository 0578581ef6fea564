# Shared by the release-mode guest test scripts (sourced, not run): builds partita if needed,
# fetches the guest kit (or says "skipped: ..." and exits 0 when it cannot), and provides
# check/wait_for. Sets: partita, work, kernel, initrd, passed, failed.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# PARTITA names another binary; PARTITA_SCRATCH another build directory (swift --scratch-path).
partita=${PARTITA:-.build/release/partita}
[ -x "$partita" ] || swift build -c release --product partita ${PARTITA_SCRATCH:+--scratch-path "$PARTITA_SCRATCH"}
work=$(mktemp -d)
if ! kit=$("$partita" guest fetch 2>"$work/fetch.err"); then
    echo "skipped: the guest kit could not be built: $(tail -1 "$work/fetch.err")"
    exit 0
fi
kernel=$(echo "$kit" | tail -2 | head -1)
initrd=$(echo "$kit" | tail -1)
passed=0 failed=0

check() {  # description, command...
    local what=$1; shift
    if "$@"; then echo "ok: $what"; passed=$((passed + 1)); else echo "FAILED: $what"; failed=$((failed + 1)); fi
}

wait_for() {  # log, pattern, seconds, pid: true once the pattern is in the log
    for _ in $(seq 1 "$3"); do
        grep -aq "$2" "$1" 2>/dev/null && return 0
        kill -0 "$4" 2>/dev/null || { grep -aq "$2" "$1" 2>/dev/null; return; }
        sleep 1
    done
    return 1
}
