#!/usr/bin/env bash
# Runs every test suite from the one debug build `make build` made. Each suite is a script
# `scripts/test-*.sh`; any failure fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ATHENA_BIN_DIR:=$(swift build --show-bin-path)}"
export ATHENA_BIN_DIR ATHENA_ROOT="${ATHENA_ROOT:-$PWD}" ATHENA_PYTHON="${ATHENA_PYTHON:-$PWD/.venv/bin/python}"
status=0
for suite in scripts/test-*.sh; do
  [ "$suite" = scripts/test-all.sh ] && continue
  echo "=== $suite"
  bash "$suite" || status=1
done
echo "=== swift test"
swift test --skip-build 2>&1 | tee /tmp/athena-swift-test.log | grep -vE '^(\[|Test Suite|Test Case)' | tail -200 || true
swift_rc=${PIPESTATUS[0]}
[ "$swift_rc" = 0 ] || status=1
exit $status
