#!/usr/bin/env bash
# The README's test command: installs every tool the tests drive, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-test-deps.sh

cargo fmt --all -- --check
cargo clippy --all-targets --release -- -D warnings
cargo build --release
cargo test --release --all-targets
# Fuzz smoke run: every cargo-fuzz target for a short while (tools/fuzz.sh documents long runs).
tools/fuzz.sh --time "${RVM_FUZZ_SMOKE_SECONDS:-20}"
