#!/usr/bin/env bash
# Installs the real clients and peers the tests drive. Every test needs them; none skips.
set -euo pipefail
PKGS=(libiscsi-bin libnbd-bin qemu-utils fio tgt lvm2 nbdkit jq)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" ||
    { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; }
fi
rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt
# The fuzz smoke run (tools/fuzz.sh) needs cargo-fuzz.
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
