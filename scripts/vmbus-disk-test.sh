#!/usr/bin/env bash
# Release-mode VMBus storage test: the Debian guest kit boots with --hyperv and an ext4 image
# (made on the host with mke2fs -d) on the synthetic SCSI controller. The guest's own hv_storvsc
# and sd_mod bring up /dev/sda with the image's capacity; it mounts the filesystem, reads the
# host's file, writes its own, syncs, unmounts and powers off — then the host reads the guest's
# file back from the image (debugfs), and a second boot sees it too. Prints "N passed, M failed";
# says "skipped: ..." when the kit cannot be fetched.
set -uo pipefail
source "$(dirname "$0")/guest-lib.sh"
boot() {  # log, commands typed at the shell; returns Partita's exit status
    local log=$1 commands=$2
    rm -f "$work/in"; mkfifo "$work/in"
    "$partita" run --kernel "$kernel" --initrd "$initrd" --memory 256M --append "console=ttyS0" \
        --hyperv --vmbus-disk "$work/disk.img" --serial stdio --clock virtual --timeout 600 \
        < "$work/in" > "$log" 2>&1 &
    local pid=$!
    exec 3> "$work/in"
    if wait_for "$log" "built-in shell" 600 $pid; then
        printf '%s; echo STEPS""DONE\n' "$commands" >&3
        wait_for "$log" "STEPSDONE" 300 $pid
        printf 'poweroff -f\n' >&3
    fi
    for _ in $(seq 1 60); do kill -0 $pid 2>/dev/null || break; sleep 1; done
    exec 3>&-
    kill $pid 2>/dev/null
    wait $pid
}

mkdir -p "$work/seed"
echo "from-the-host" > "$work/seed/hello.txt"
truncate -s 64M "$work/disk.img"
mke2fs -q -t ext4 -d "$work/seed" -F "$work/disk.img"
load='modprobe hv_storvsc; modprobe sd_mod; modprobe crc32c_generic; modprobe ext4; sleep 1; mkdir -p /mnt'

boot "$work/boot1.log" "$load; cat /sys/block/sda/size; mount -t ext4 /dev/sda /mnt && cat /mnt/hello.txt && echo written-by-the-guest > /mnt/guest.txt && sync && umount /mnt && echo WRITE""OK"
status=$?
check "the guest detects Hyper-V and hv_vmbus negotiates" grep -aq "Vmbus version:" "$work/boot1.log"
check "hv_storvsc binds and /dev/sda appears with the image's 131072 sectors" \
    bash -c "grep -aq 'sda\] 131072 512-byte logical blocks' '$work/boot1.log' && grep -aqE '^131072' '$work/boot1.log'"
check "the guest mounts the host-made ext4 and reads the host's file" grep -aq "^from-the-host" "$work/boot1.log"
check "the guest writes, syncs and unmounts" grep -aq "WRITEOK" "$work/boot1.log"
check "poweroff -f exits 0 (was $status)" test "$status" -eq 0
check "the host reads the guest's file back from the image" \
    bash -c "debugfs -R 'cat /guest.txt' '$work/disk.img' 2>/dev/null | grep -q written-by-the-guest"
check "the image is a clean filesystem" bash -c "e2fsck -fn '$work/disk.img' >/dev/null 2>&1"

boot "$work/boot2.log" "$load; mount -t ext4 /dev/sda /mnt && cat /mnt/guest.txt && umount /mnt"
check "a second boot sees the file" grep -aq "^written-by-the-guest" "$work/boot2.log"

if [ $failed -gt 0 ]; then
    for f in boot1.log boot2.log; do [ -f "$work/$f" ] && { echo "--- $f (tail)"; tail -12 "$work/$f"; }; done
fi
rm -f "$work/disk.img"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
