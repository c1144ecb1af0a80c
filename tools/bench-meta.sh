#!/usr/bin/env bash
# Issue 2's metadata speed: lvs and lvcreate with 500 LVs in a VG, rvm (file PV) against
# LVM2 (loop device, activation disabled) side by side, with the ratio; then rvm alone
# with 10,000 LVs. Needs root (loop device) and lvm2 (tools/install-test-deps.sh).
# Knobs: LVS (default 500), BIG_LVS (10000), RUNS (9).
set -euo pipefail
cd "$(dirname "$0")/.."
export LVM_SUPPRESS_FD_WARNINGS=1
exec cargo bench --bench meta
