#!/usr/bin/env bash
# Release-mode legacy boot test of Partita's own BIOS (roms/partita-bios.bin): builds three boot
# media from Debian packages and boots each with `partita run` and no --kernel/--bios:
#   (a) a 1.44 MB FAT12 floppy with SYSLINUX starting memtest86+ (memtest86+ia32.bin: a Linux
#       boot-protocol image of the 32-bit memtest, loaded with SYSLINUX's LINUX directive);
#   (b) an ISOLINUX CD-ROM (El Torito, no emulation) and
#   (c) an MBR + FAT16 hard disk with SYSLINUX,
# (b) and (c) booting the guest kit's Debian kernel and initramfs with console=tty0 console=ttyS0.
# Each run's COM1 output is checked (SYSLINUX banner, memtest's or the kernel's lines, the kit's
# ready marker). The tools come from `apt-get download` (syslinux, syslinux-common, isolinux,
# mtools, dosfstools, xorriso with its libraries, fdisk, memtest86+), unpacked into
# ~/.cache/partita/legacy — nothing is installed. Prints "N passed, M failed"; says "skipped: ..."
# when the packages or the guest kit cannot be fetched.
# Uses .build/release/partita (built if missing) unless PARTITA names a binary and
# PARTITA_SCRATCH its build directory, e.g.
#   PARTITA=.build-x/release/partita PARTITA_SCRATCH=.build-x scripts/legacy-boot-test.sh
set -uo pipefail
source "$(dirname "$0")/guest-lib.sh"

cache=${PARTITA_GUEST_CACHE:-$HOME/.cache/partita}/legacy
root=$cache/root
packages=(syslinux syslinux-common isolinux mtools dosfstools xorriso libisoburn1 libisofs6 libburn4 libjte2 fdisk memtest86+)
if [ ! -x "$root/usr/bin/xorriso" ] || [ ! -e "$root/boot/memtest86+ia32.bin" ]; then
    mkdir -p "$cache/debs"
    if ! (cd "$cache/debs" && apt-get download "${packages[@]}" > "$work/apt.log" 2>&1); then
        echo "skipped: apt-get download failed: $(tail -1 "$work/apt.log")"
        exit 0
    fi
    rm -rf "$root" && mkdir -p "$root"
    for deb in "$cache"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done
fi
export PATH=$root/usr/bin:$root/usr/sbin:$root/sbin:$PATH
export LD_LIBRARY_PATH=$root/usr/lib/x86_64-linux-gnu:$root/usr/lib/$(uname -m)-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
bios=$root/usr/lib/syslinux/modules/bios
export MTOOLS_SKIP_CHECK=1

boot() {  # name, seconds, partita options... → $work/<name>.log (COM1)
    local name=$1 seconds=$2; shift 2
    "$partita" run "$@" --serial "file:$work/$name.log" --clock virtual --timeout "$seconds" \
        --screen-text "$work/$name.screen" > "$work/$name.out" 2>&1 &
    echo $!
}

finish() {  # pid: SIGTERM ends the run; the VGA text screen is written to <name>.screen then
    kill "$1" 2>/dev/null
    # Started inside $(...), the process is not this shell's child: wait for it by polling.
    for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
}

# (a) SYSLINUX floppy with memtest86+.
fd=$work/memtest.img
dd if=/dev/zero of="$fd" bs=512 count=2880 status=none
mkfs.fat -F 12 -n MEMTEST "$fd" > /dev/null
syslinux --install "$fd"
cp "$root/boot/memtest86+ia32.bin" "$work/memtest"
printf 'SERIAL 0 115200\nDEFAULT memtest\nLABEL memtest\n  LINUX memtest\n  APPEND console=ttyS0,115200\n' > "$work/fd.cfg"
mcopy -i "$fd" "$work/memtest" ::memtest
mcopy -i "$fd" "$work/fd.cfg" ::syslinux.cfg
echo "== (a) floppy: SYSLINUX + memtest86+"
pid=$(boot floppy 300 --floppy "$fd" --boot a --memory 64M)
check "floppy: the BIOS boots drive 00h" wait_for "$work/floppy.log" "Booting from drive 00h" 60 "$pid"
check "floppy: SYSLINUX starts" wait_for "$work/floppy.log" "SYSLINUX" 120 "$pid"
check "floppy: memtest86+ runs its tests (serial console)" wait_for "$work/floppy.log" "Moving inversions" 240 "$pid"
finish "$pid"
check "floppy: memtest86+'s screen shows it testing (VGA text)" \
    bash -c "grep -aq 'Memtest86+' '$work/floppy.screen' && grep -aqi 'pass' '$work/floppy.screen'"

kernel_checks() {  # name, pid
    check "$1: the kernel starts (Linux version on COM1)" wait_for "$work/$1.log" "Linux version" 300 "$2"
    check "$1: the kernel sees the BIOS's E820 map" grep -aq "BIOS-e820: \[mem 0x00000000000e0000-0x00000000000fffff\] reserved" "$work/$1.log"
    check "$1: the kernel finds the ACPI tables" grep -aq "ACPI: RSDP 0x00000000000E0000" "$work/$1.log"
    check "$1: the initramfs reaches its ready marker" wait_for "$work/$1.log" "partita-guest: ready" 600 "$2"
}
screen_checks() {  # name (after finish): console=tty0 put the kernel's lines on the VGA text screen
    check "$1: the kernel's lines are on the VGA text screen" grep -aqE "Run /init as init process|Freeing unused" "$work/$1.screen"
}

# (b) ISOLINUX CD-ROM with the guest kit.
iso=$work/iso
mkdir -p "$iso/isolinux"
cp "$root/usr/lib/ISOLINUX/isolinux.bin" "$bios/ldlinux.c32" "$iso/isolinux/"
cp "$kernel" "$iso/vmlinuz"
cp "$initrd" "$iso/initrd.img"
printf 'SERIAL 0 115200\nDEFAULT linux\nLABEL linux\n  KERNEL /vmlinuz\n  INITRD /initrd.img\n  APPEND console=tty0 console=ttyS0\n' \
    > "$iso/isolinux/isolinux.cfg"
xorriso -as mkisofs -quiet -o "$work/cd.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
    -no-emul-boot -boot-load-size 4 -boot-info-table "$iso" 2> "$work/xorriso.log" || cat "$work/xorriso.log"
echo "== (b) CD-ROM: ISOLINUX + the guest kit"
pid=$(boot cdrom 900 --cdrom "$work/cd.iso" --boot d --memory 256M)
check "cdrom: the BIOS boots the El Torito image" wait_for "$work/cdrom.log" "Booting from CD-ROM" 60 "$pid"
check "cdrom: ISOLINUX starts" wait_for "$work/cdrom.log" "ISOLINUX" 120 "$pid"
kernel_checks cdrom "$pid"
finish "$pid"
screen_checks cdrom

# (c) MBR + FAT16 hard disk with SYSLINUX and the guest kit: one partition from sector 2048.
hd=$work/hd.img
dd if=/dev/zero of="$hd" bs=1M count=64 status=none
echo 'start=2048, type=6, bootable' | sfdisk --quiet "$hd"
dd if="$root/usr/lib/syslinux/mbr/mbr.bin" of="$hd" bs=440 count=1 conv=notrunc status=none
part=$((2048 * 512))
mkfs.fat -F 16 -n PARTITA -h 2048 --offset 2048 "$hd" $(( (64 * 1024 * 1024 - part) / 1024 )) > /dev/null
syslinux --offset "$part" --install "$hd"
# root= makes the kit's /init load ata_piix (the FAT16 partition itself is not mounted: no vfat).
printf 'SERIAL 0 115200\nDEFAULT linux\nLABEL linux\n  LINUX /vmlinuz\n  INITRD /initrd.img\n  APPEND console=tty0 console=ttyS0 root=/dev/sda1 rootfstype=vfat\n' \
    > "$work/hd.cfg"
mcopy -i "$hd@@$part" "$kernel" ::vmlinuz
mcopy -i "$hd@@$part" "$initrd" ::initrd.img
mcopy -i "$hd@@$part" "$work/hd.cfg" ::syslinux.cfg
echo "== (c) hard disk: MBR + FAT16 + SYSLINUX + the guest kit"
pid=$(boot disk 900 --hda "$hd" --boot c --memory 256M)
check "disk: the BIOS boots drive 80h" wait_for "$work/disk.log" "Booting from drive 80h" 60 "$pid"
check "disk: SYSLINUX starts" wait_for "$work/disk.log" "SYSLINUX" 120 "$pid"
kernel_checks disk "$pid"
check "disk: Linux's ata_piix finds the IDE disk and its partition" \
    bash -c "grep -aq 'ata1.00: ATA' '$work/disk.log' && grep -aq 'sda: sda1' '$work/disk.log'"
finish "$pid"
screen_checks disk

# The same media on SeaBIOS (Debian's, with its stdvga VGA BIOS): the hardware, not only our
# BIOS, is faithful.
seabios=/usr/share/seabios/bios.bin vgabios=/usr/share/seabios/vgabios-stdvga.bin
if [ -f "$seabios" ] && [ -f "$vgabios" ]; then
    echo "== SeaBIOS: the floppy, the CD-ROM and the hard disk"
    pid=$(boot sea-floppy 300 --bios "$seabios" --vga-bios "$vgabios" --floppy "$fd" --memory 64M)
    check "SeaBIOS floppy: memtest86+ runs its tests" wait_for "$work/sea-floppy.log" "Moving inversions" 240 "$pid"
    finish "$pid"
    pid=$(boot sea-cdrom 900 --bios "$seabios" --vga-bios "$vgabios" --cdrom "$work/cd.iso" --memory 256M)
    check "SeaBIOS CD-ROM: ISOLINUX boots the kernel to the ready marker" wait_for "$work/sea-cdrom.log" "partita-guest: ready" 600 "$pid"
    finish "$pid"
    pid=$(boot sea-disk 900 --bios "$seabios" --vga-bios "$vgabios" --hda "$hd" --memory 256M)
    check "SeaBIOS hard disk: SYSLINUX boots the kernel to the ready marker" wait_for "$work/sea-disk.log" "partita-guest: ready" 600 "$pid"
    finish "$pid"
    check "SeaBIOS hard disk: the kernel's lines are on the VGA text screen (SeaBIOS's VGA BIOS)" \
        grep -aqE "Run /init as init process|Freeing unused" "$work/sea-disk.screen"
else
    echo "skipped: SeaBIOS runs ($seabios or $vgabios not found; scripts/setup.sh installs seabios)"
fi

# (d) Linux drives the emulated CD-ROM (ata_piix + sr_mod, ISO 9660), floppy (floppy.ko through
# the 82077AA and 8237 DMA) and VGA (bochs-drm): the kit booted directly, commands typed on COM1.
echo "== (d) Linux's sr_mod and floppy drivers on the IDE CD-ROM and the floppy controller"
head -c 1474560 /dev/urandom > "$work/raw.img"
raw_md5=$(md5sum < "$work/raw.img" | cut -d' ' -f1)
rm -f "$work/d.in"; mkfifo "$work/d.in"
"$partita" run --kernel "$kernel" --initrd "$initrd" --memory 128M --append "console=ttyS0" \
    --cdrom "$work/cd.iso" --floppy "$work/raw.img" --serial stdio --clock virtual --timeout 300 \
    < "$work/d.in" > "$work/drivers.log" 2>&1 &
pid=$!
exec 3> "$work/d.in"
if wait_for "$work/drivers.log" "partita-guest: ready" 300 $pid; then
    sleep 1
    printf '%s\n' 'modprobe ata_piix; modprobe sr_mod; modprobe isofs; modprobe floppy; sleep 2; mkdir -p /cd; mount -t iso9660 /dev/sr0 /cd && ls -1 /cd/isolinux; md5sum /dev/fd0; echo partita-floppy-write | dd of=/dev/fd0 bs=512 seek=100 conv=sync 2>/dev/null; sync; modprobe bochs; sleep 1; echo fb0=$(cat /sys/class/graphics/fb0/virtual_size); echo DRIVERS""DONE' >&3
    wait_for "$work/drivers.log" "DRIVERSDONE" 120 $pid
    printf 'poweroff -f\n' >&3
fi
for _ in $(seq 1 30); do kill -0 $pid 2>/dev/null || break; sleep 1; done
exec 3>&-
kill $pid 2>/dev/null; wait $pid 2>/dev/null
check "ata_piix + sr_mod: the CD-ROM is sr0 and its ISO 9660 filesystem mounts" \
    bash -c "grep -aq 'sr0' '$work/drivers.log' && grep -aq '^isolinux.bin' '$work/drivers.log'"
check "floppy.ko reads the whole 1.44 MB image through the FDC and DMA (md5 matches the host's)" \
    grep -aq "^$raw_md5  /dev/fd0" "$work/drivers.log"
check "Linux's bochs-drm binds the VGA (1234:1111) and gives fb0 at 1024x768" \
    bash -c "grep -aq 'Initialized bochs-drm' '$work/drivers.log' && grep -aq '^fb0=1024,768' '$work/drivers.log'"
check "a floppy write by the guest reaches the image file" \
    bash -c "dd if='$work/raw.img' bs=512 skip=100 count=1 2>/dev/null | grep -aq partita-floppy-write"

# Nothing to boot: the message reaches COM1.
pid=$(boot none 60 --memory 32M)
check "no media: 'No bootable device.' on COM1" wait_for "$work/none.log" "No bootable device." 60 "$pid"
finish "$pid"

if [ "$failed" -ne 0 ]; then
    for f in floppy cdrom disk drivers none sea-floppy sea-cdrom sea-disk; do
        [ -e "$work/$f.log" ] && { echo "--- $f COM1 (tail)"; tail -c 1500 "$work/$f.log"; echo; }
        [ -s "$work/$f.out" ] && { echo "--- $f partita output"; tail -5 "$work/$f.out"; }
    done
fi
echo "$passed passed, $failed failed"
rm -rf "$work"
[ "$failed" -eq 0 ]
