#!/usr/bin/env bash
# Side-by-side iSCSI read benchmark: libiscsi's iscsi-perf against `rvm serve` (an LV holding
# a copy of the file) and against tgt (tgtd, set up here with tgtadm on its own control port
# and portal) serving the page-cached file itself. Prints IOPS and bandwidth per workload and
# rvm/tgt ratios, and rvm's own NBD figure on the same LV (fio --ioengine=nbd) with the
# iSCSI/NBD ratio.
#
#   tools/bench-iscsi.sh [SECONDS_PER_RUN] [FILE_SIZE_MIB]
#
# Figures depend on what else the machine runs; both peers are measured in the same run for
# that reason.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
SIZE_MIB=${2:-1024}

command -v iscsi-perf >/dev/null || { echo "iscsi-perf missing: run tools/install-test-deps.sh" >&2; exit 1; }
command -v tgtd >/dev/null || { echo "tgtd missing: run tools/install-test-deps.sh" >&2; exit 1; }
for t in fio jq; do command -v $t >/dev/null || { echo "$t missing: run tools/install-test-deps.sh" >&2; exit 1; }; done
cargo build --release >/dev/null
RVM=$PWD/target/release/rvm

WORK=$(mktemp -d /tmp/rvm-bench-iscsi.XXXXXX)
IMG=$WORK/disk.img
RVM_PID= ; TGT_PID=
CP=$(( 20000 + RANDOM % 12000 ))       # tgtd control port (tgtadm takes at most 32767): its own socket
cleanup() {
  [ -n "$RVM_PID" ] && kill "$RVM_PID" 2>/dev/null && wait "$RVM_PID" 2>/dev/null || true
  if [ -n "$TGT_PID" ]; then
    tgtadm -C "$CP" --op delete --mode system >/dev/null 2>&1 || true
    kill "$TGT_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A non-sparse file, read once so both targets serve it from the page cache.
dd if=/dev/urandom of="$IMG" bs=1M count="$SIZE_MIB" status=none
cat "$IMG" >/dev/null

RVM_IQN=iqn.2026-11.org.rvm.bench:rvm-$$
TGT_IQN=iqn.2026-11.org.rvm.bench:tgt-$$

# rvm: an LV with the same data, served by rvm serve over iSCSI and NBD.
export RVM_SYSTEM_DIR=$WORK/etc RVM_RUN_DIR=$WORK/run
mkdir -p "$RVM_SYSTEM_DIR" "$RVM_RUN_DIR"
truncate -s $((SIZE_MIB + 64))M "$WORK/pv.img"
"$RVM" vgcreate -q bench "$WORK/pv.img" >/dev/null
"$RVM" lvcreate -q -L "${SIZE_MIB}m" -n lun bench >/dev/null
"$RVM" copy "$IMG" bench/lun
"$RVM" iscsi target create "$RVM_IQN" >/dev/null
"$RVM" iscsi lun add "$RVM_IQN" bench/lun >/dev/null
"$RVM" iscsi acl add "$RVM_IQN" ALL >/dev/null
"$RVM" nbd export bench/lun >/dev/null
RVM_ISCSI_PORT=$(free_port); RVM_NBD_PORT=$(free_port)
"$RVM" serve --iscsi 127.0.0.1:"$RVM_ISCSI_PORT" --nbd 127.0.0.1:"$RVM_NBD_PORT" 2>"$WORK/rvm.err" &
RVM_PID=$!
for _ in $(seq 100); do grep -q "serving NBD" "$WORK/rvm.err" && break; sleep 0.1; done
RVM_URL="iscsi://127.0.0.1:$RVM_ISCSI_PORT/$RVM_IQN/0"
RVM_NBD="nbd://127.0.0.1:$RVM_NBD_PORT/bench/lun"

# tgt: own control port and portal; LUN 1 is the disk (LUN 0 is tgt's controller).
TGT_PORT=$(free_port)
tgtd -f -C "$CP" --iscsi portal=127.0.0.1:"$TGT_PORT" >"$WORK/tgtd.log" 2>&1 &
TGT_PID=$!
for _ in $(seq 50); do tgtadm -C "$CP" --op show --mode target >/dev/null 2>&1 && break; sleep 0.1; done
tgtadm -C "$CP" --lld iscsi --op new --mode target --tid 1 -T "$TGT_IQN"
tgtadm -C "$CP" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$IMG"
tgtadm -C "$CP" --lld iscsi --op bind --mode target --tid 1 -I ALL
TGT_URL="iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN/1"

# iscsi-perf prints "iops average N (M MB/s)" at the end.
perf() { # URL ARGS... -> "IOPS MBPS"
  local url=$1; shift
  iscsi-perf -t "$SECS" "$@" "$url" 2>&1 | tr '\r' '\n' | grep 'iops average' | tail -1 |
    sed -E 's/.*iops average ([0-9]+) \(([0-9]+) MB\/s\).*/\1 \2/'
}

# fio over NBD on the same LV: "IOPS MBPS".
nbd_perf() { # RW BS QD
  fio --name=n --ioengine=nbd --uri="$RVM_NBD" --rw="$1" --bs="$2" --iodepth="$3" \
    --size="${SIZE_MIB}M" --runtime="$SECS" --time_based --output-format=json 2>/dev/null |
    sed -n '/^{/,$p' | jq -r '"\(.jobs[0].read.iops | floor) \(.jobs[0].read.bw_bytes / 1000000 | floor)"'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }

printf '%-26s %10s %9s %10s %9s %8s %10s %10s\n' workload rvm_iops rvm_MB/s tgt_iops tgt_MB/s rvm/tgt rvm_nbd iscsi/nbd
run() { # NAME FIO_RW FIO_BS FIO_QD ISCSI_PERF_ARGS...
  local name=$1 rw=$2 bs=$3 qd=$4; shift 4
  read -r ri rb < <(perf "$RVM_URL" "$@")
  read -r ti tb < <(perf "$TGT_URL" "$@")
  read -r ni nb < <(nbd_perf "$rw" "$bs" "$qd")
  printf '%-26s %10s %9s %10s %9s %8s %10s %10s\n' "$name" "$ri" "$rb" "$ti" "$tb" \
    "$(ratio "$ri" "$ti")" "$ni" "$(ratio "$ri" "$ni")"
}
run "4KiB random read QD32" randread 4k 32 -r -m 32 -b 8
run "4KiB random read QD1" randread 4k 1 -r -m 1 -b 8
run "1MiB sequential read QD8" read 1m 8 -m 8 -b 2048
echo "goals: >= 2x tgt at QD32, >= 1.5x at QD1, >= 1.2x on 1 MiB sequential reads; iSCSI >= 0.85x rvm's NBD"
