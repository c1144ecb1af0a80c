#!/usr/bin/env bash
# Runs rvm's cargo-fuzz targets (fuzz/fuzz_targets, bodies in fuzz/src).
#
#   tools/fuzz.sh                      every target for 20 s (the smoke run tools/test.sh does)
#   tools/fuzz.sh --time 3600          every target for an hour each (the long run)
#   tools/fuzz.sh --time 600 store_open nbd_requests
#   tools/fuzz.sh --jobs 2 --time 36000 iscsi_pdu   (libFuzzer workers in parallel)
#
# cargo-fuzz needs nightly features; this uses the stable toolchain with RUSTC_BOOTSTRAP=1.
# Each target starts from its committed seeds (fuzz/seeds/<target>/) and grows a corpus in
# fuzz/corpus/<target>/ (git-ignored, kept between runs). A crash stops the run with a non-zero
# exit and leaves the input in fuzz/artifacts/<target>/: copy it to
# fuzz/regressions/<target>/<name>, where tests/fuzz_regressions.rs replays it on every test
# run, and fix the bug. The summary prints executions per target.
set -euo pipefail
cd "$(dirname "$0")/.."

time=20
jobs=1
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --time) time="$2"; shift 2 ;;
        --jobs) jobs="$2"; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) targets+=("$1"); shift ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(sed -n 's/^name = "\([a-z_]*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^rvm-fuzz$')
fi

export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: cargo install cargo-fuzz" >&2
    exit 1
fi
# No debug info: the build is what dominates a smoke run.
export CARGO_PROFILE_RELEASE_DEBUG=0
cargo fuzz build --release
parallel=()
if [ "$jobs" -gt 1 ]; then
    parallel=(-jobs="$jobs" -workers="$jobs")
fi

summary=()
status=0
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    log="fuzz/artifacts/$t/last-run.log"
    set +e
    cargo fuzz run --release "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
        -max_total_time="$time" "${parallel[@]}" -rss_limit_mb=2048 \
        -timeout=20 -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    cat fuzz/fuzz-*.log >>"$log" 2>/dev/null && rm -f fuzz/fuzz-*.log
    execs=$(grep -h 'stat::number_of_executed_units' "$log" 2>/dev/null \
        | awk '{s += $2} END {print s + 0}')
    if [ $rc -ne 0 ]; then
        status=1
        summary+=("$t: FAILED after $execs executions (see $log and fuzz/artifacts/$t/)")
        tail -30 "$log" >&2
    else
        summary+=("$t: $execs executions in ${time}s, no failure")
    fi
done
printf '%s\n' "${summary[@]}"
exit $status
