#!/usr/bin/env bash
# Runs every test suite from the one debug build `make build` made: each `scripts/test-*.sh`
# (pytest, chart and schema checks, ...) and then `swift test` in two passes. Any failure fails the run;
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
# Two passes over the same build: the suites that start real processes (operator, test API server,
# kubectl, Python workers) first, then the in-process suites. Run together on a 2-core machine they
# starve each other's event loops and the timing checks (deadlines, "fails at once") lose meaning.
heavy='EndToEndTests|AthenaCLITests'
echo "=== swift test (process suites: $heavy)"
swift test --skip-build --filter "$heavy" || failed+=("swift test (process suites)")
echo "=== swift test (in-process suites)"
swift test --skip-build --skip "$heavy" || failed+=("swift test (in-process suites)")
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"
  exit 1
fi
