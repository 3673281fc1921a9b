#!/usr/bin/env bash
# Validates the CRDs against the real Kubernetes schemas with kubernetes-validate (PyPI), strict
# (unknown fields are errors), and checks config/crd builds with kustomize and matches crds/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python=${ATHENA_PYTHON:-$root/.venv/bin/python}
kv="$(dirname "$python")/kubernetes-validate"
if [ ! -x "$kv" ]; then
  echo "test-validate: FAIL: $kv not found; run 'make setup' (scripts/bootstrap.sh installs requirements-dev.txt)" >&2
  exit 1
fi
status=0

shopt -s nullglob
crds=(crds/*.yaml)
if [ ${#crds[@]} -eq 0 ]; then
  echo "test-validate: FAIL: no CRDs in crds/" >&2
  exit 1
fi
echo "test-validate: kubernetes-validate --strict ${crds[*]}"
"$kv" --strict --quiet "${crds[@]}" || status=1

# Every CRD has its byte-identical copy in config/crd/bases/ and nothing else is there.
for f in "${crds[@]}"; do
  if ! cmp -s "$f" "config/crd/bases/$(basename "$f")"; then
    echo "test-validate: FAIL: config/crd/bases/$(basename "$f") differs from $f; run scripts/sync-chart-crds.sh" >&2
    status=1
  fi
done
for f in config/crd/bases/*.yaml; do
  [ -f "crds/$(basename "$f")" ] || { echo "test-validate: FAIL: stray $f (not in crds/)" >&2; status=1; }
done

# kustomize (built into kubectl) renders config/crd into exactly the three CRDs, still valid.
if command -v kubectl >/dev/null 2>&1; then
  rendered=$(mktemp)
  trap 'rm -f "$rendered"' EXIT
  if kubectl kustomize config/crd >"$rendered"; then
    count=$(grep -c '^kind: CustomResourceDefinition$' "$rendered" || true)
    if [ "$count" != "${#crds[@]}" ]; then
      echo "test-validate: FAIL: kubectl kustomize config/crd gave $count CRDs, expected ${#crds[@]}" >&2
      status=1
    fi
    "$kv" --strict --quiet "$rendered" || status=1
  else
    echo "test-validate: FAIL: kubectl kustomize config/crd failed" >&2
    status=1
  fi
else
  echo "test-validate: FAIL: kubectl not found (needed for the kustomize check)" >&2
  status=1
fi

[ $status = 0 ] && echo "test-validate: ok (${#crds[@]} CRDs valid, config/crd in sync)"
exit $status
