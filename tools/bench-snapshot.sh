#!/usr/bin/env bash
# Snapshot speed against its peers (issue 3): rvm with fewer snapshots, qcow2 (qemu-img
# bench), qemu-img commit and a plain copy, in one run. RVM_BENCH_DIR picks the disk.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench snapshot
