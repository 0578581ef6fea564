#!/usr/bin/env bash
# Release-mode VMBus storage test: the Debian guest kit boots with --hyperv and an ext4 image
# (made on the host with mke2fs -d) on the synthetic SCSI controller. The guest's own hv_storvsc
# and sd_mod bring up /dev/sda with the image's capacity; it mounts the filesystem, reads the
# host's file, writes its own, syncs, unmounts and powers off — then the host reads the guest's
# file back from the image (debugfs), and a second boot sees it too. Then snapshots in the
# middle of the guest's disk I/O: saved at SIGTERM and restored onto the image (e2fsck clean,
# every record there), and with --snapshot-disks saved at SIGUSR1 and restored with the image
# never written. Last, root=/dev/sda boots from an ext4 image on the VMBus disk. Prints "N passed, M failed";
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

# Snapshots in the middle of disk I/O: the guest appends to a log and writes files in a loop,
# each step synced, while the host saves the machine.
start() {  # log, partita run arguments...: starts Partita on a fresh input fifo (fd 3); sets pid
    local log=$1; shift
    rm -f "$work/in"; mkfifo "$work/in"
    "$partita" run "$@" --serial stdio --timeout 600 < "$work/in" > "$log" 2>&1 &
    pid=$!
    exec 3> "$work/in"
}
finish() {  # waits up to 60 s for Partita to end (killing it then); returns its status
    for _ in $(seq 1 60); do kill -0 $pid 2>/dev/null || break; sleep 1; done
    exec 3>&-
    kill $pid 2>/dev/null
    wait $pid 2>/dev/null
}
loop() {  # the guest's workload on file prefix $1: runs in the background until /tmp/stop exists
    echo "mount -t ext4 /dev/sda /mnt; rm -f /tmp/stop; ( i=0; while [ ! -e /tmp/stop ]; do i=\$((i+1)); echo record \$i >> /mnt/$1.log; dd if=/dev/zero of=/mnt/$1\$i bs=16k count=4 2>/dev/null; sync; done ) & echo LOOP\"\"START"
}
stop_loop() {  # typed after the restore: ends the loop, waits for it, reports "LOOPDONE records files"
    echo "touch /tmp/stop; wait; echo LOOP\"\"DONE \$(wc -l < /mnt/$1.log) \$(ls /mnt | grep -c '^$1[0-9]')"
}
counts() {  # log: "records files" from its LOOPDONE line
    grep -ao 'LOOPDONE [0-9]* [0-9]*' "$1" | tail -1 | cut -d' ' -f2-
}
boot_args=(--kernel "$kernel" --initrd "$initrd" --memory 256M --append "console=ttyS0" --hyperv --clock virtual)

# 3. SIGTERM with --save-on-exit while the loop runs (it never ends by itself, so the save is
# mid-loop whatever the machine's speed); the restored machine stops the loop on the image.
start "$work/io1.log" "${boot_args[@]}" --vmbus-disk "$work/disk.img" --save-on-exit "$work/io.snap"
if wait_for "$work/io1.log" "built-in shell" 600 $pid; then
    printf '%s; %s\n' "$load" "$(loop f)" >&3
    wait_for "$work/io1.log" "LOOPSTART" 120 $pid && sleep 3
fi
kill -TERM $pid 2>/dev/null
finish
check "SIGTERM while the guest's write loop runs saves a snapshot" test -s "$work/io.snap"
start "$work/io2.log" --restore "$work/io.snap"
sleep 2
printf '%s\n' "$(stop_loop f)" >&3
if wait_for "$work/io2.log" "LOOPDONE" 300 $pid; then
    printf 'umount /mnt && echo UMOUNT""OK\n' >&3
    wait_for "$work/io2.log" "UMOUNTOK" 60 $pid
    printf 'poweroff -f\n' >&3
fi
finish
status=$?
read -r records files <<< "$(counts "$work/io2.log")"
check "the restored guest ends its write loop ($records records, $files files), unmounts and powers off (status $status)" \
    bash -c "[ '${records:-0}' -ge 1 ] && [ '$records' = '$files' ] && grep -aq UMOUNTOK '$work/io2.log' && test $status -eq 0"
check "the image is a clean filesystem after the restored run" bash -c "e2fsck -fn '$work/disk.img' >/dev/null 2>&1"
check "every record the guest wrote across the snapshot is in the image, in order" \
    bash -c "debugfs -R 'cat /f.log' '$work/disk.img' 2>/dev/null | diff -q - <(seq 1 '${records:-0}' | sed 's/^/record /') >/dev/null"
check "no EXT4-fs error in either run" bash -c "! grep -aq 'EXT4-fs error' '$work/io1.log' '$work/io2.log'"

# 4. --snapshot-disks: SIGUSR1 while the loop runs, the first run is killed; the image never
# changes and the restored guest (its writes in the snapshot's overlay) ends the loop and
# finds its records and files after a remount.
before=$(md5sum < "$work/disk.img")
start "$work/io3.log" "${boot_args[@]}" --vmbus-disk "$work/disk.img" --snapshot-disks --snapshot-file "$work/io-overlay.snap"
if wait_for "$work/io3.log" "built-in shell" 600 $pid; then
    printf '%s; %s\n' "$load" "$(loop g)" >&3
    wait_for "$work/io3.log" "LOOPSTART" 120 $pid && sleep 3
fi
kill -USR1 $pid 2>/dev/null
for _ in $(seq 1 30); do [ -s "$work/io-overlay.snap" ] && break; sleep 1; done
kill -KILL $pid 2>/dev/null
finish
check "SIGUSR1 mid-I/O with --snapshot-disks saves a snapshot, and the image is unchanged" \
    bash -c "test -s '$work/io-overlay.snap' && test '$(md5sum < "$work/disk.img")' = '$before'"
start "$work/io4.log" --restore "$work/io-overlay.snap"
sleep 2
printf '%s\n' "$(stop_loop g)" >&3
if wait_for "$work/io4.log" "LOOPDONE" 300 $pid; then
    printf 'umount /mnt && mount -t ext4 /dev/sda /mnt && echo VERI""FY $(wc -l < /mnt/g.log) $(ls /mnt | grep -c "^g[0-9]") errors=$(dmesg | grep -c "EXT4-fs error"); umount /mnt\n' >&3
    wait_for "$work/io4.log" "VERIFY" 60 $pid
    printf 'poweroff -f\n' >&3
fi
finish
read -r records files <<< "$(counts "$work/io4.log")"
check "the restored guest ends the loop on its overlay; after a remount all $records records and files are there, no ext4 errors" \
    bash -c "[ '${records:-0}' -ge 1 ] && grep -aq 'VERIFY $records $records errors=0' '$work/io4.log'"
check "the image is still unchanged after the restored run" test "$(md5sum < "$work/disk.img")" = "$before"

# 5. root=/dev/sda: the kit's /init loads the storage drivers and switches to an ext4 image
# holding a static busybox (taken from the kit's initramfs) and its own /sbin/init.
mkdir -p "$work/rootfs/bin" "$work/rootfs/sbin" "$work/rootfs/proc" "$work/rootfs/dev" "$work/rootfs/tmp"
(cd "$work/rootfs" && gzip -dc "$initrd" | cpio -id --quiet bin/busybox)
cat > "$work/rootfs/sbin/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
echo "partita-root: $(grep ' / ' /proc/mounts | tail -1)"
exec setsid cttyhack sh
INIT
chmod 755 "$work/rootfs/sbin/init"
truncate -s 32M "$work/root.img"
mke2fs -q -t ext4 -d "$work/rootfs" -F "$work/root.img"
start "$work/root.log" --kernel "$kernel" --initrd "$initrd" --memory 256M --append "console=ttyS0 root=/dev/sda" \
    --hyperv --clock virtual --vmbus-disk "$work/root.img"
if wait_for "$work/root.log" "partita-root:" 600 $pid; then
    printf 'echo from-the-root-fs > /proof.txt; sync; echo PROOF""DONE\n' >&3
    wait_for "$work/root.log" "PROOFDONE" 60 $pid
    printf 'poweroff -f\n' >&3
fi
finish
status=$?
check "root=/dev/sda: the VMBus disk's ext4 becomes the root filesystem" grep -aq "partita-root: /dev/sda / ext4 rw" "$work/root.log"
check "the guest writes to its root filesystem and powers off (status $status); the host reads the file" \
    bash -c "test $status -eq 0 && debugfs -R 'cat /proof.txt' '$work/root.img' 2>/dev/null | grep -q from-the-root-fs"

if [ $failed -gt 0 ]; then
    for f in boot1.log boot2.log io1.log io2.log io3.log io4.log root.log; do [ -f "$work/$f" ] && { echo "--- $f (tail)"; tail -12 "$work/$f"; }; done
fi
rm -f "$work/disk.img" "$work/root.img"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
