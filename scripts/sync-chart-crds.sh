#!/usr/bin/env bash
# Copies the CRDs (crds/*.yaml, the source of truth) byte for byte into the Helm chart
# (charts/athena/crds/) and, when it exists, into config/crd/bases/ (kustomize cannot load files
# outside its own directory), and removes copies whose source is gone.
#   scripts/sync-chart-crds.sh          copy
#   scripts/sync-chart-crds.sh --check  only compare; exit 1 and name the files that differ
set -euo pipefail
cd "$(dirname "$0")/.."

src=crds
targets=(charts/athena/crds)
[ -d config/crd/bases ] && targets+=(config/crd/bases)
check=false
[ "${1:-}" = "--check" ] && check=true

shopt -s nullglob
files=("$src"/*.yaml)
if [ ${#files[@]} -eq 0 ]; then
  echo "sync-chart-crds: no CRDs in $src/ (expected $src/*.yaml)" >&2
  exit 1
fi

status=0
for dst in "${targets[@]}"; do
  for f in "${files[@]}"; do
    name=$(basename "$f")
    if ! cmp -s "$f" "$dst/$name"; then
      if $check; then
        echo "sync-chart-crds: $dst/$name differs from $f (run scripts/sync-chart-crds.sh)" >&2
        status=1
      else
        mkdir -p "$dst"
        cp "$f" "$dst/$name"
        echo "sync-chart-crds: copied $f -> $dst/$name"
      fi
    fi
  done
  for f in "$dst"/*.yaml; do
    name=$(basename "$f")
    if [ ! -f "$src/$name" ]; then
      if $check; then
        echo "sync-chart-crds: $f has no source $src/$name (run scripts/sync-chart-crds.sh)" >&2
        status=1
      else
        rm "$f"
        echo "sync-chart-crds: removed stale $f"
      fi
    fi
  done
done
exit $status
