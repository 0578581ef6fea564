#!/usr/bin/env bash
# Installs the Debian packages Partita needs to build and test (idempotent; needs root or sudo).
set -euo pipefail
# libzstd-dev: snapshot compression; nasm: test programs; kmod, cpio: the guest kit (depmod, initramfs); acpica-tools: iasl checks the DSDT
packages=(pkg-config zlib1g-dev libzstd-dev nasm kmod cpio acpica-tools seabios)
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
