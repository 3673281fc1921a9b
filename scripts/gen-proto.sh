#!/usr/bin/env bash
# Regenerates the engine-protocol code from proto/ (commit the result):
#   Swift  → Sources/EngineProtocol/Generated/  (protoc-gen-swift + protoc-gen-grpc-swift-2, Visibility=Public)
#   Python → sdk/python/athena_wrapper/proto/   (grpcio-tools, imports made package-relative)
# Needs protoc (apt protobuf-compiler) and .venv (scripts/bootstrap.sh). The Swift plugins are
# executable products of our dependencies; they are built here with `swift build --product`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
protos=(athena/engine/v1/engine.proto grpc/health/v1/health.proto)

command -v protoc >/dev/null || { echo "gen-proto: protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }
py=.venv/bin/python
[ -x "$py" ] || { echo "gen-proto: $py missing; run scripts/bootstrap.sh" >&2; exit 1; }

# MARK: - Swift
if [ "${SKIP_SWIFT:-0}" != 1 ]; then
  for product in protoc-gen-swift protoc-gen-grpc-swift-2; do
    if ! log=$(swift build --product "$product" 2>&1); then echo "$log" >&2; exit 1; fi
  done
  bin=$(swift build --show-bin-path)
  out=Sources/EngineProtocol/Generated
  rm -rf "$out"; mkdir -p "$out"
  protoc -I proto \
    --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
    --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
    --swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
    --swift_out="$out" \
    --grpc-swift_opt=Visibility=Public,FileNaming=PathToUnderscores,Client=true,Server=true \
    --grpc-swift_out="$out" \
    "${protos[@]}"
  echo "gen-proto: Swift → $out"
fi

# MARK: - Python
pyout=sdk/python/athena_wrapper/proto
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$py" -m grpc_tools.protoc -I proto --python_out="$tmp" --pyi_out="$tmp" --grpc_python_out="$tmp" "${protos[@]}"
mkdir -p "$pyout"
rm -f "$pyout"/*_pb2*.py "$pyout"/*_pb2*.pyi
for f in "$tmp"/athena/engine/v1/* "$tmp"/grpc/health/v1/*; do cp "$f" "$pyout/"; done
# Flattened into one package: `from athena.engine.v1 import engine_pb2` → `from . import engine_pb2`.
sed -i -E 's/^from (athena\.engine\.v1|grpc\.health\.v1) import ([a-z_]+_pb2)/from . import \2/' "$pyout"/*_pb2_grpc.py
cat > "$pyout/__init__.py" <<'PY'
"""Generated protocol code (scripts/gen-proto.sh); do not edit."""
PY
echo "gen-proto: Python → $pyout"
