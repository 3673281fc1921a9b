#!/usr/bin/env bash
# Packaging checks (run by `make test` through scripts/test-all.sh; about half a minute):
# Helm lint + render of charts/athena with real Helm (PyPI helm-python-sdk), kubernetes-validate
# on every rendered object, crds/ and config/, `kubectl kustomize config/default`, least-privilege
# RBAC, chart CRDs byte-equal to crds/, Dockerfiles, Kubefile, and the operator's real flags.
#   scripts/test-chart.sh                       all checks
#   scripts/test-chart.sh check_helm_lint ...   only the named ones
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ATHENA_PYTHON:=$PWD/.venv/bin/python}"
export ATHENA_ROOT="${ATHENA_ROOT:-$PWD}"
if [ ! -x "$ATHENA_PYTHON" ]; then
  echo "test-chart: FAIL: no Python at $ATHENA_PYTHON; run 'bash scripts/bootstrap.sh' (or 'make setup')" >&2
  exit 1
fi
exec "$ATHENA_PYTHON" scripts/chart_checks.py "$@"
