#!/usr/bin/env bash
# Side-by-side iSCSI read benchmark: libiscsi's iscsi-perf against rvm's target and against
# tgt (tgtd, set up here with tgtadm on its own control port and portal), both serving the same
# page-cached file. Prints IOPS and bandwidth per workload and rvm/tgt ratios.
#
#   tools/bench-iscsi.sh [SECONDS_PER_RUN] [FILE_SIZE_MIB]
#
# Until `rvm serve` exists, the rvm side is examples/iscsi_target.rs. Figures depend on what
# else the machine runs; both peers are measured in the same run for that reason.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
SIZE_MIB=${2:-1024}

command -v iscsi-perf >/dev/null || { echo "iscsi-perf missing: run tools/install-test-deps.sh" >&2; exit 1; }
command -v tgtd >/dev/null || { echo "tgtd missing: run tools/install-test-deps.sh" >&2; exit 1; }
cargo build --release --example iscsi_target >/dev/null

WORK=$(mktemp -d /tmp/rvm-bench-iscsi.XXXXXX)
IMG=$WORK/disk.img
RVM_PID= ; TGT_PID= ; HOLD_PID=
CP=$(( 20000 + RANDOM % 20000 ))       # tgtd control port: its own socket, no clash
cleanup() {
  [ -n "$RVM_PID" ] && kill "$RVM_PID" 2>/dev/null || true
  [ -n "$HOLD_PID" ] && kill "$HOLD_PID" 2>/dev/null || true
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

# rvm: holds its stdin open through a fifo; prints its address.
mkfifo "$WORK/hold"
target/release/examples/iscsi_target 127.0.0.1:0 "$RVM_IQN" "$IMG" <"$WORK/hold" >"$WORK/rvm.addr" 2>"$WORK/rvm.err" &
RVM_PID=$!
exec 9>"$WORK/hold"
for _ in $(seq 50); do [ -s "$WORK/rvm.addr" ] && break; sleep 0.1; done
RVM_URL="iscsi://$(cat "$WORK/rvm.addr")/$RVM_IQN/0"

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

printf '%-28s %12s %12s %12s %12s %8s\n' workload rvm_iops rvm_MB/s tgt_iops tgt_MB/s ratio
run() { # NAME ARGS...
  local name=$1; shift
  read -r ri rb < <(perf "$RVM_URL" "$@")
  read -r ti tb < <(perf "$TGT_URL" "$@")
  printf '%-28s %12s %12s %12s %12s %8s\n' "$name" "$ri" "$rb" "$ti" "$tb" \
    "$(awk -v a="$ri" -v b="$ti" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }')"
}
run "4KiB random read QD32" -r -m 32 -b 8
run "4KiB random read QD1" -r -m 1 -b 8
run "1MiB sequential read QD8" -m 8 -b 2048
echo "goals: >= 2x tgt at QD32, >= 1.5x at QD1, >= 1.2x on 1 MiB sequential reads"
