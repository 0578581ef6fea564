#!/usr/bin/env bash
# Installs the Debian packages Partita needs to build and test (idempotent; needs root or sudo).
set -euo pipefail
# libzstd-dev: snapshot compression; libsdl2-dev: the window (FrontendSDL); nasm: test programs; kmod, cpio: the guest kit (depmod, initramfs); acpica-tools: iasl checks the DSDT;
# seabios: a third-party BIOS whose POST the guest test checks; e2fsprogs: mke2fs/debugfs for the VMBus disk test
packages=(pkg-config zlib1g-dev libzstd-dev libsdl2-dev nasm kmod cpio acpica-tools seabios e2fsprogs)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "setup: installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
