#!/usr/bin/env bash
# The README's main-job command: builds rvm, makes two file-backed PVs under ./demo, a VG
# "demo" over them and an LV "vol1" spanning both, exports it over NBD and iSCSI, shows
# `rvm lvs`, then runs `rvm serve` on localhost in the foreground until Ctrl-C (SIGINT),
# which stops it cleanly. Rerunning it changes nothing that exists already.
#
#   tools/demo.sh            set up, then serve
#   tools/demo.sh --no-serve set up and show, without serving
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet
RVM="$PWD/target/release/rvm"
DEMO="$PWD/demo"
export RVM_SYSTEM_DIR="$DEMO/etc"
export RVM_RUN_DIR="$DEMO/run"
mkdir -p "$DEMO" "$RVM_SYSTEM_DIR" "$RVM_RUN_DIR"
IQN=iqn.2026-12.org.rvm.demo:vol1

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
if ! "$RVM" nbd list | grep -q "demo/vol1"; then
  "$RVM" nbd export demo/vol1
fi
if ! "$RVM" iscsi list | grep -q "$IQN"; then
  "$RVM" iscsi target create "$IQN"
  "$RVM" iscsi lun add "$IQN" demo/vol1
  "$RVM" iscsi acl add "$IQN" ALL         # localhost only, below
fi

"$RVM" pvs
"$RVM" vgs
"$RVM" lvs -o +devices
"$RVM" nbd list

[ "${1:-}" = "--no-serve" ] && exit 0
cat <<MSG

Serving on localhost until Ctrl-C. In another shell:
  nbdinfo nbd://127.0.0.1/demo/vol1
  iscsi-inq iscsi://127.0.0.1/$IQN/0
  RVM_SYSTEM_DIR=$RVM_SYSTEM_DIR RVM_RUN_DIR=$RVM_RUN_DIR $RVM lvcreate -s -L 512m -n snap1 demo/vol1

MSG
exec "$RVM" serve --nbd 127.0.0.1:10809 --iscsi 127.0.0.1:3260
