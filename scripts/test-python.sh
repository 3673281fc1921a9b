#!/usr/bin/env bash
# Runs the Python SDK suite (sdk/python/tests): real engine processes on 127.0.0.1:0.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
if [ ! -x "$py" ]; then
  echo "test-python: $py is missing; run scripts/bootstrap.sh first" >&2
  exit 1
fi
"$py" -c "import athena_wrapper" 2>/dev/null || {
  echo "test-python: athena_wrapper is not installed in .venv; run scripts/bootstrap.sh" >&2
  exit 1
}
exec "$py" -m pytest sdk/python/tests -q "$@"
