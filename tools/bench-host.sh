#!/usr/bin/env bash
# Issue 3's creation and copy speed: `rvm lvcreate -s` of a small and a large origin next
# to LVM2's lvcreate (loop device, activation disabled; LVM2 cannot snapshot without
# device-mapper), and `rvm copy` next to dd and cp --sparse=always on the same bytes.
# Needs root (loop device) and lvm2 (tools/install-test-deps.sh). Knobs: RUNS (15),
# COPY_MIB (1024).
set -euo pipefail
cd "$(dirname "$0")/.."
export LVM_SUPPRESS_FD_WARNINGS=1
exec cargo bench --bench host
