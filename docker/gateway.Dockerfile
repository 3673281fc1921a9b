# syntax=docker/dockerfile:1
# The athena-gateway image: the sidecar the operator puts next to every inference engine, and the
# driver of BatchService Jobs (`athena batch --engine …`, so the image carries `athena` too).
#   docker build -f docker/gateway.Dockerfile -t athena-serving/athena-gateway:0.1.0 .
# Two stages: the Swift toolchain stays in the builder; the runtime holds only the binary,
# libcurl (Foundation's networking links it) and CA certificates.

ARG SWIFT_IMAGE=swift:6.3-noble
ARG RUNTIME_IMAGE=ubuntu:24.04

# MARK: - Build
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcurl4-openssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY scripts/build-release.sh ./scripts/
# The cache mount keeps fetched packages and objects between builds; the binary is copied out
# of it in the same step. scripts/build-release.sh holds the release flags the benchmarks
# measure too (--static-swift-stdlib: the runtime needs no Swift runtime libraries).
RUN --mount=type=cache,target=/src/.build \
    scripts/build-release.sh --product athena-gateway \
 && scripts/build-release.sh --product athena \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/athena-gateway" /out/athena-gateway \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/athena" /out/athena

# MARK: - Runtime
FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="athena-gateway" \
      org.opencontainers.image.description="Athena Serving gateway sidecar: protocol conversion, routing, limits"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcurl4t64 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 athena \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin athena
COPY --from=build /out/athena-gateway /out/athena /usr/local/bin/
RUN ! ldd /usr/local/bin/athena-gateway /usr/local/bin/athena | grep -q "not found"
# The operator runs this container with a read-only root filesystem; nothing here needs to write.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/athena-gateway"]
