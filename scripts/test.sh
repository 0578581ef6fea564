#!/usr/bin/env bash
# The README's test command: installs what is needed, runs the unit tests (debug build), then the
# hardware-conformance suites in full on a release build, then the release-mode guest tests
# (boot with ACPI/APICs, Hyper-V + hv_vmbus, SeaBIOS POST, snapshots of a running guest, a
# filesystem on the VMBus disk).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== unit tests (debug build; conformance suites sampled) =="
swift build --build-tests
swift test --skip-build

echo "== conformance suites (release build, every test) =="
swift build -c release --product partita
shared=../shared/testdata
if [ -d "$shared/sst80286" ]; then
    .build/release/partita conformance sst "$shared/sst80286" "$shared/sst80386-sample"
else
    echo "skipped: ../shared/testdata/sst80286 not found"
fi

echo "== guest boot (release build) =="
scripts/guest-boot-test.sh

echo "== guest snapshots: save mid-boot and mid-loop, restore in a new process (release build) =="
scripts/snapshot-boot-test.sh

echo "== VMBus storage: ext4 on the synthetic SCSI disk, written in the guest, read on the host (release build) =="
scripts/vmbus-disk-test.sh

echo "== legacy boot: Partita's BIOS boots a SYSLINUX floppy (memtest86+), an ISOLINUX CD and a SYSLINUX disk (release build) =="
scripts/legacy-boot-test.sh

echo "== SDL window under Xvfb: the guest's screen in the window, typed keys reach the guest (release build) =="
scripts/sdl-window-test.sh
