#!/usr/bin/env bash
# Release-mode guest boot test: builds the default guest kit (Debian's i386 kernel + busybox
# initramfs) and boots it on Partita with the serial console on a pipe, the full PC platform
# (ACPI, local APIC, I/O APIC): checks the kernel log for the ACPI tables, the I/O APIC, a
# calibrated APIC timer, no PIC fallback and no unchecked MSR access; waits for the kit's ready
# marker and the busybox shell, types a command and checks the guest's answer, then powers the
# guest off through ACPI (`poweroff -f`) and checks that Partita exits with status 0. Then boots
# it again with --hyperv and loads hv_vmbus (Hyper-V detected, VMBus version negotiated), and
# checks that SeaBIOS completes POST.
# Prints a closing "N passed, M failed" line. If the kit cannot be fetched (no package registry),
# the test says "skipped: ..." instead.
set -uo pipefail
source "$(dirname "$0")/guest-lib.sh"
log=$work/console.log
echo "== guest boot: $kernel =="
mkfifo "$work/input"
start=$(date +%s)
"$partita" run --kernel "$kernel" --initrd "$initrd" --memory 256M \
    --append "console=ttyS0 apic=verbose" --serial stdio --clock virtual --timeout 600 \
    < "$work/input" > "$log" 2>&1 &
pid=$!
exec 3> "$work/input"

if wait_for "$log" "partita-guest: ready" 600 $pid && wait_for "$log" "built-in shell" 60 $pid; then
    echo "guest reached its shell in $(( $(date +%s) - start )) s (wall clock)"
    grep -am1 "Linux version" "$log"
    passed=$((passed + 1))
    check "dmesg shows the ACPI tables" grep -aq "ACPI: RSDP 0x" "$log"
    check "dmesg shows IOAPIC[0]" grep -aq "IOAPIC\[0\]: apic_id" "$log"
    check "the APIC timer was calibrated" grep -aq "calibration result:" "$log"
    check "the timer runs through the I/O APIC (no 8259A fallback)" \
        bash -c "! grep -aqE 'through the 8259A|APIC timer disabled|Not using IOAPIC|NO_IRQ|noapic' '$log'"
    check "no unchecked MSR access" bash -c "! grep -aq 'unchecked MSR access' '$log'"
    printf 'echo answer=$((6*7))\n' >&3
    check "the shell ran a typed command" wait_for "$log" "answer=42" 120 $pid
    printf 'poweroff -f\n' >&3
    for _ in $(seq 1 120); do kill -0 $pid 2>/dev/null || break; sleep 1; done
    if kill -0 $pid 2>/dev/null; then
        check "poweroff -f ends Partita" false
    else
        wait $pid; status=$?
        check "poweroff -f ends Partita with exit status 0 (was $status)" test "$status" -eq 0
    fi
else
    echo "the guest did not reach its shell"
    failed=$((failed + 1))
fi
exec 3>&-
kill $pid 2>/dev/null; wait $pid 2>/dev/null

# Hyper-V: the same kernel with --hyperv detects Hyper-V and its own hv_vmbus negotiates with
# Partita's VMBus server.
mkfifo "$work/hv-input"
"$partita" run --kernel "$kernel" --initrd "$initrd" --memory 256M --append "console=ttyS0" --hyperv \
    --serial stdio --clock virtual --timeout 600 < "$work/hv-input" > "$work/hv.log" 2>&1 &
hpid=$!
exec 5> "$work/hv-input"
log=$work/hv.log pid=$hpid
if wait_for "$log" "built-in shell" 600 $pid; then
    check "with --hyperv the kernel detects Hyper-V" grep -aq "Hypervisor detected: Microsoft Hyper-V" "$work/hv.log"
    printf 'modprobe hv_vmbus && echo HV""LOADED\n' >&5
    check "hv_vmbus loads and negotiates a VMBus version" wait_for "$log" "Vmbus version:" 120 $pid
    check "modprobe hv_vmbus succeeds" wait_for "$log" "HVLOADED" 60 $pid
    check "no unchecked MSR access with --hyperv" bash -c "! grep -aq 'unchecked MSR access' '$work/hv.log'"
    printf 'poweroff -f\n' >&5
    for _ in $(seq 1 60); do kill -0 $hpid 2>/dev/null || break; sleep 1; done
else
    check "with --hyperv the guest reaches its shell" false
fi
exec 5>&-
kill $hpid 2>/dev/null; wait $hpid 2>/dev/null

# SeaBIOS (Debian's build for QEMU) must find the i440FX, PIIX and fw_cfg, shadow itself through
# the PAM registers and finish POST with the E820 map it got from fw_cfg.
seabios=/usr/share/seabios/bios-256k.bin
if [ -f "$seabios" ]; then
    "$partita" run --bios "$seabios" --memory 64M --serial null --debugcon "$work/seabios.log,port=0x402" \
        --clock virtual --timeout 60 > "$work/seabios.out" 2>&1 &
    spid=$!
    for _ in $(seq 1 60); do
        grep -aq "e820 map has" "$work/seabios.log" 2>/dev/null && break
        kill -0 $spid 2>/dev/null || break
        sleep 1
    done
    kill $spid 2>/dev/null; wait $spid 2>/dev/null
    check "SeaBIOS completes POST (5 PCI functions incl. IDE and VGA, PAM shadowing, fw_cfg E820)" \
        bash -c "grep -aq 'Found 5 PCI devices' '$work/seabios.log' && grep -aq 'e820 map has' '$work/seabios.log'"
else
    echo "skipped: SeaBIOS POST ($seabios not found; scripts/setup.sh installs seabios)"
fi
if [ $failed -gt 0 ]; then
    echo "last console lines:"
    tail -20 "$log"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
