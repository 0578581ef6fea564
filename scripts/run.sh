#!/usr/bin/env bash
# The README's main command: installs what is needed, builds a release binary, builds the default
# guest kit (Debian's i386 kernel + a busybox initramfs, fetched with apt) and boots it with the
# serial console on this terminal: type into the guest's shell; Ctrl-A x quits.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product partita
kit=$(.build/release/partita guest fetch)
kernel=$(echo "$kit" | tail -2 | head -1)
initrd=$(echo "$kit" | tail -1)
exec .build/release/partita run --kernel "$kernel" --initrd "$initrd" --memory 256M \
    --append "console=ttyS0" --serial stdio "$@"
