#!/usr/bin/env bash
# Rebuilds the committed firmware images from firmware/ with Debian tools (nasm, coreutils, awk):
#   roms/partita-bios.bin     the system BIOS (128 KiB, mapped at 0xE0000–0xFFFFF)
#   roms/partita-vgabios.bin  the VGA BIOS option ROM (mapped at 0xC0000)
# Usage: scripts/build-firmware.sh [--fonts] [OUTPUT_DIR]   (default OUTPUT_DIR: roms)
#   --fonts  first regenerates firmware/vgabios/font*.inc from Debian's console-setup-linux
#            (fetched with apt-get download; see firmware/README.md for the font's licence).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fonts=0
if [ "${1:-}" = "--fonts" ]; then fonts=1; shift; fi
out=$(realpath -m "${1:-roms}")
command -v nasm >/dev/null || { echo "nasm is missing: apt-get install nasm (scripts/setup.sh installs it)" >&2; exit 1; }
mkdir -p "$out"

if [ "$fonts" -eq 1 ]; then
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download console-setup-linux > /dev/null && dpkg-deb -x console-setup-linux_*.deb root)
    firmware/vgabios/make-fonts.sh "$tmp/root/usr/share/consolefonts"
    rm -rf "$tmp"
fi

# The system BIOS: 128 KiB.
(cd firmware/bios && nasm -f bin -o "$out/partita-bios.bin" bios.asm)
size=$(stat -c %s "$out/partita-bios.bin")
[ "$size" -eq 131072 ] || { echo "partita-bios.bin is $size bytes, not 128 KiB" >&2; exit 1; }

# The VGA BIOS: its last byte makes the image sum to zero (PCI option ROM rule).
rom=$out/partita-vgabios.bin
(cd firmware/vgabios && nasm -f bin -o "$rom" vgabios.asm)
sum=$(od -An -v -tu1 "$rom" | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print (256 - s % 256) % 256 }')
printf "$(printf '\\%03o' "$sum")" | dd of="$rom" bs=1 seek=$(( $(stat -c %s "$rom") - 1 )) conv=notrunc status=none
check=$(od -An -v -tu1 "$rom" | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s % 256 }')
[ "$check" -eq 0 ] || { echo "partita-vgabios.bin checksum is $check" >&2; exit 1; }

for f in partita-bios.bin partita-vgabios.bin; do
    echo "$f: $(sha256sum "$out/$f" | cut -d' ' -f1)"
done
