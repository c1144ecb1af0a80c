#!/usr/bin/env bash
# The README's main-job command: builds rvm, makes two file-backed PVs under ./demo, a VG
# "demo" over them and an LV "vol1", then shows `rvm lvs`. Rerunning it changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet
RVM="$PWD/target/release/rvm"
DEMO="$PWD/demo"
export RVM_SYSTEM_DIR="$DEMO/etc"
export RVM_RUN_DIR="$DEMO/run"
mkdir -p "$DEMO" "$RVM_SYSTEM_DIR" "$RVM_RUN_DIR"

pvs=()
for i in 1 2; do
  img="$DEMO/pv$i.img"
  [ -e "$img" ] || truncate -s 2G "$img"   # sparse: takes no space until written
  pvs+=("$img")
done

if ! "$RVM" vgs demo >/dev/null 2>&1; then
  "$RVM" vgcreate demo "${pvs[@]}"
fi
if ! "$RVM" lvs demo/vol1 >/dev/null 2>&1; then
  "$RVM" lvcreate -L 3G -n vol1 demo      # larger than one PV: spans both
fi

"$RVM" pvs
"$RVM" vgs
"$RVM" lvs -o +devices
