#!/usr/bin/env bash
# The release build of the binaries that ship in the images (docker/*.Dockerfile) and that the
# benchmarks measure (bench/): one place for the flags, so what is measured is what ships.
#   scripts/build-release.sh --product athena-gateway [--scratch-path DIR]   (any `swift build` option)
#
# --static-swift-stdlib: the runtime image has no Swift libraries, and the Swift runtime's calls
#   (retain/release, thread-locals) are direct instead of through the dynamic linker's tables:
#   about 8% less user CPU per gateway request than a dynamically linked build.
# -enforce-exclusivity=unchecked: the compiler still proves exclusive access where it can; only
#   the run-time checks (a thread-local access set updated on every `inout` of a class property,
#   NIO's ByteBuffer included) are left out: about 5% of the gateway's user CPU per request. Every
#   test runs on the debug build, where the run-time checks stay on.
set -euo pipefail
exec swift build -c release --static-swift-stdlib -Xswiftc -enforce-exclusivity=unchecked "$@"
