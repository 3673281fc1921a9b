#!/usr/bin/env bash
# Runs every test suite from the one debug build `make build` made: each `scripts/test-*.sh`
# (pytest, chart and schema checks, ...) and then `swift test`. Any failure fails the run;
# the last lines printed are swift test's own summary.
set -uo pipefail
cd "$(dirname "$0")/.."
: "${ATHENA_BIN_DIR:=$(swift build --show-bin-path)}"
export ATHENA_BIN_DIR ATHENA_ROOT="${ATHENA_ROOT:-$PWD}" ATHENA_PYTHON="${ATHENA_PYTHON:-$PWD/.venv/bin/python}"
failed=()
for suite in scripts/test-*.sh; do
  [ "$suite" = scripts/test-all.sh ] && continue
  echo "=== $suite"
  if ! bash "$suite"; then failed+=("$suite"); fi
done
echo "=== swift test"
swift test --skip-build || failed+=("swift test")
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  exit 1
fi
