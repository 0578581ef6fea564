#!/usr/bin/env bash
# Rebuilds the committed firmware images in roms/ from firmware/ with Debian's nasm.
# Usage: scripts/build-firmware.sh            (writes roms/partita-bios.bin)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v nasm >/dev/null || { echo "nasm is missing: apt-get install nasm (scripts/setup.sh installs it)" >&2; exit 1; }
mkdir -p roms
# The system BIOS: 128 KiB, mapped at 0xE0000–0xFFFFF.
(cd firmware/bios && nasm -f bin -o ../../roms/partita-bios.bin bios.asm)
size=$(stat -c %s roms/partita-bios.bin)
[ "$size" -eq 131072 ] || { echo "roms/partita-bios.bin is $size bytes, not 128 KiB" >&2; exit 1; }
echo "roms/partita-bios.bin: $(sha256sum roms/partita-bios.bin | cut -d' ' -f1)"
