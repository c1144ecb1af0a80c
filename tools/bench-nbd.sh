#!/usr/bin/env bash
# NBD benchmark: fio --ioengine=nbd against `rvm serve` (an LV, and an LV with a snapshot
# whose chunks are all copied already), qemu-nbd (defaults), nbdkit file and nbdkit null (the
# protocol ceiling), all serving the same page-cached data over TCP on loopback, in one run.
# Prints IOPS, bandwidth, the server's CPU time per I/O (utime+stime from /proc/<pid>/stat)
# and ratios of rvm to each peer, and of rvm with a snapshot to rvm without.
# Each workload runs in rounds; a round runs every server once, in turn, so that a slow spell
# of the shared machine hits all of them. Figures are medians over the rounds, and the
# IOPS range over the rounds is printed next to each median.
#
# Usage: tools/bench-nbd.sh [--runtime SECONDS] [--rounds N] [--size MIB] [--only WORKLOAD]
set -euo pipefail
cd "$(dirname "$0")/.."

RUNTIME=6
ROUNDS=3
SIZE_MIB=1024
ONLY=""
# name rw bs iodepth [placement]. QD1 latency on this VM depends mostly on whether the
# scheduler puts the server's thread on fio's CPU (a cross-CPU wake-up goes through the
# hypervisor): "same" pins the server's threads and fio to CPU 0, "cross" puts fio on CPU 1;
# without a placement both float, as in every other workload.
WORKLOADS=(
  "randread-4k-qd32 randread 4k 32"
  "randread-4k-qd1 randread 4k 1"
  "randread-4k-qd1-same-cpu randread 4k 1 same"
  "randread-4k-qd1-cross-cpu randread 4k 1 cross"
  "seqread-1m-qd8 read 1m 8"
  "seqwrite-1m-qd8 write 1m 8"
  "randwrite-4k-qd32 randwrite 4k 32"
)

USAGE="usage: $0 [--runtime S] [--rounds N] [--size MIB] [--only WORKLOAD]"
while [ $# -gt 0 ]; do
  case "$1" in
    --runtime | --rounds | --size | --only) ;;
    *) echo "bench-nbd: unknown argument '$1'; $USAGE" >&2; exit 2 ;;
  esac
  [ $# -ge 2 ] || { echo "bench-nbd: $1 needs a value; $USAGE" >&2; exit 2; }
  case "$1" in
    --runtime) RUNTIME=$2 ;;
    --rounds) ROUNDS=$2 ;;
    --size) SIZE_MIB=$2 ;;
    --only) ONLY=$2 ;;
  esac
  shift 2
done

for n in "$RUNTIME" "$ROUNDS" "$SIZE_MIB"; do
  case "$n" in
    '' | *[!0-9]*) false ;;
    *) [ ${#n} -le 6 ] && [ "$((10#$n))" -gt 0 ] ;;
  esac || { echo "bench-nbd: --runtime, --rounds and --size take a positive integer of at most 6 digits, not '$n'" >&2; exit 2; }
done

if [ -n "$ONLY" ] && ! printf '%s\n' "${WORKLOADS[@]}" | cut -d' ' -f1 | grep -qxF -- "$ONLY"; then
  echo "bench-nbd: no workload '$ONLY'; there are: $(printf '%s\n' "${WORKLOADS[@]}" | cut -d' ' -f1 | tr '\n' ' ')" >&2
  exit 2
fi

for tool in fio qemu-nbd nbdkit jq; do
  command -v "$tool" >/dev/null || { echo "bench-nbd: $tool is missing (tools/install-test-deps.sh)" >&2; exit 1; }
done

cargo build --release >&2
RVM=$PWD/target/release/rvm

WORK=$(mktemp -d /tmp/rvm-bench-nbd.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

FILE=$WORK/disk.img
echo "# preparing a ${SIZE_MIB} MiB file of random data, page-cached" >&2
dd if=/dev/urandom of="$FILE" bs=1M count="$SIZE_MIB" status=none
cat "$FILE" >/dev/null

# rvm: a VG on one file PV; "plain" holds the same data; "snapped" too, with a snapshot
# whose store already holds every chunk (so its writes are overwrites of copied chunks).
export RVM_SYSTEM_DIR=$WORK/etc RVM_RUN_DIR=$WORK/run
mkdir -p "$RVM_SYSTEM_DIR" "$RVM_RUN_DIR"
truncate -s $((SIZE_MIB * 4 + 256))M "$WORK/pv.img"
"$RVM" vgcreate -q bench "$WORK/pv.img" >/dev/null
for lv in plain snapped; do
  "$RVM" lvcreate -q -L "${SIZE_MIB}m" -n "$lv" bench >/dev/null
  "$RVM" copy "$FILE" "bench/$lv"
  "$RVM" nbd export "bench/$lv" --name "$lv" >/dev/null
done
"$RVM" lvcreate -q -s -L "$((SIZE_MIB + SIZE_MIB / 8))m" -n snap bench/snapped >/dev/null

# A port nothing listens on; the servers then bind it.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

wait_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench-nbd: server on port $1 did not start" >&2
  exit 1
}

declare -A PORT PID URI BACKING
start_server() { # name port pid uri backing-file
  PORT[$1]=$2; PID[$1]=$3; URI[$1]=$4; BACKING[$1]=$5; PIDS+=("$3"); wait_port "$2"
}

p=$(free_port); "$RVM" serve --nbd "127.0.0.1:$p" --iscsi 127.0.0.1:0 >"$WORK/rvm.log" 2>&1 &
start_server rvm "$p" $! "nbd://127.0.0.1:$p/plain" "$WORK/pv.img"
PORT[rvm-snap]=$p; PID[rvm-snap]=${PID[rvm]}; URI[rvm-snap]="nbd://127.0.0.1:$p/snapped"
BACKING[rvm-snap]=$WORK/pv.img
# Both LVs get the same write history, so their page-cache state matches: on bench/snapped
# this pass copies every chunk into the snapshot, on bench/plain it only overwrites.
echo "# copying every chunk of bench/snapped into its snapshot" >&2
for s in rvm-snap rvm; do
  fio --name=precopy --ioengine=nbd --uri="${URI[$s]}" --rw=write --bs=1m --iodepth=8 \
    --size="${SIZE_MIB}M" --output-format=terse >/dev/null
done
p=$(free_port); qemu-nbd -f raw --persistent -b 127.0.0.1 -p "$p" "$FILE" 2>"$WORK/qemu.log" &
start_server qemu-nbd "$p" $! "nbd://127.0.0.1:$p/" "$FILE"
p=$(free_port); nbdkit -f -i 127.0.0.1 -p "$p" file "$FILE" 2>"$WORK/nbdkit.log" &
start_server nbdkit-file "$p" $! "nbd://127.0.0.1:$p/" "$FILE"
p=$(free_port); nbdkit -f -i 127.0.0.1 -p "$p" null size="${SIZE_MIB}M" 2>"$WORK/null.log" &
start_server nbdkit-null "$p" $! "nbd://127.0.0.1:$p/" /dev/null

SERVERS=(rvm rvm-snap qemu-nbd nbdkit-file nbdkit-null)
cpu_ticks() { # utime + stime of a process, in clock ticks
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}
HZ=$(getconf CLK_TCK)

median() { # the middle of its numeric arguments (the lower middle for an even count)
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
span() { # "min-max" of its numeric arguments
  printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'
}

declare -A IOPS BW CPU RANGE
for w in "${WORKLOADS[@]}"; do
  read -r name rw bs qd place <<<"$w"
  [ -n "$ONLY" ] && [ "$ONLY" != "$name" ] && continue
  case "${place:-}" in
    same) PIN=(taskset -c 0) ;;
    cross) PIN=(taskset -c 1) ;;
    *) PIN=() ;;
  esac
  declare -A R_IOPS=() R_BW=() R_CPU=()
  for round in $(seq "$ROUNDS"); do
    for s in "${SERVERS[@]}"; do
      [ -n "${place:-}" ] && taskset -a -p -c 0 "${PID[$s]}" >/dev/null
      # Every server starts from clean page cache: no writeback left over from the last run,
      # and its backing file read back in (this VM's host reclaims page cache over time, so a
      # file cached minutes ago may be partly on disk again).
      sync
      cat "${BACKING[$s]}" >/dev/null
      before=$(cpu_ticks "${PID[$s]}")
      out=$("${PIN[@]}" fio --name="$name" --ioengine=nbd --uri="${URI[$s]}" --rw="$rw" --bs="$bs" \
        --iodepth="$qd" --size="${SIZE_MIB}M" --runtime="$RUNTIME" --time_based \
        --output-format=json 2>/dev/null | sed -n '/^{/,$p')
      after=$(cpu_ticks "${PID[$s]}")
      [ -n "${place:-}" ] && taskset -a -p -c "0-$(($(nproc) - 1))" "${PID[$s]}" >/dev/null
      ios=$(jq '[.jobs[0].read.total_ios, .jobs[0].write.total_ios] | add' <<<"$out")
      R_IOPS[$s]+=" $(jq '[.jobs[0].read.iops, .jobs[0].write.iops] | add | floor' <<<"$out")"
      R_BW[$s]+=" $(jq '([.jobs[0].read.bw_bytes, .jobs[0].write.bw_bytes] | add) / 1048576 | floor' <<<"$out")"
      R_CPU[$s]+=" $(awk -v t=$((after - before)) -v hz="$HZ" -v n="$ios" \
        'BEGIN { if (n > 0) printf "%.2f", t / hz * 1e6 / n; else print "n/a" }')"
    done
  done
  for s in "${SERVERS[@]}"; do
    # shellcheck disable=SC2086 # the rounds' figures, one word each
    IOPS[$name,$s]=$(median ${R_IOPS[$s]})
    # shellcheck disable=SC2086
    BW[$name,$s]=$(median ${R_BW[$s]})
    # shellcheck disable=SC2086
    CPU[$name,$s]=$(median ${R_CPU[$s]})
    # shellcheck disable=SC2086
    RANGE[$name,$s]=$(span ${R_IOPS[$s]})
  done
  unset R_IOPS R_BW R_CPU
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }

echo
echo "NBD over loopback TCP, ${SIZE_MIB} MiB page-cached, ${RUNTIME}s per run, median of ${ROUNDS} rounds (machine shared: figures are indicative)"
echo "rvm: an LV served by rvm serve; rvm-snap: an LV with a snapshot holding all its chunks"
printf '%-18s %-12s %10s %9s %12s  %s\n' workload server IOPS MiB/s "CPU us/IO" "IOPS range"
for w in "${WORKLOADS[@]}"; do
  read -r name _ <<<"$w"
  [ -n "$ONLY" ] && [ "$ONLY" != "$name" ] && continue
  for s in "${SERVERS[@]}"; do
    printf '%-18s %-12s %10s %9s %12s  %s\n' "$name" "$s" "${IOPS[$name,$s]}" "${BW[$name,$s]}" \
      "${CPU[$name,$s]}" "${RANGE[$name,$s]}"
  done
  for s in qemu-nbd nbdkit-file nbdkit-null; do
    printf '%-18s   rvm/%-11s IOPS %s, CPU/IO %s\n' "" "$s" \
      "$(ratio "${IOPS[$name,rvm]}" "${IOPS[$name,$s]}")" \
      "$(ratio "${CPU[$name,rvm]}" "${CPU[$name,$s]}")"
  done
  printf '%-18s   rvm-snap/rvm     IOPS %s\n' "" "$(ratio "${IOPS[$name,rvm-snap]}" "${IOPS[$name,rvm]}")"
done
