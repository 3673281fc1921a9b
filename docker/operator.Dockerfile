# syntax=docker/dockerfile:1
# The athena-operator image: a static-stdlib Swift binary on a slim Ubuntu with libcurl.
#   docker build -f docker/operator.Dockerfile -t athena-serving/athena-operator:0.1.0 .
# Two stages: the Swift toolchain (about 1.5 GB) stays in the builder; the runtime holds only
# the binary, libcurl (every Kubernetes API call goes through it) and CA certificates.

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
    scripts/build-release.sh --product athena-operator \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/athena-operator" /out/athena-operator

# MARK: - Runtime
FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="athena-operator" \
      org.opencontainers.image.description="Athena Serving Kubernetes operator"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcurl4t64 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 athena \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin athena
COPY --from=build /out/athena-operator /usr/local/bin/athena-operator
# Fail the build now, not at pod start, if a shared library is missing.
RUN ! ldd /usr/local/bin/athena-operator | grep -q "not found"
# Numeric user so Kubernetes can check runAsNonRoot without reading /etc/passwd.
USER 65532:65532
# 8081: /healthz, /readyz and Prometheus /metrics.
EXPOSE 8081
ENTRYPOINT ["/usr/local/bin/athena-operator"]
