// swift-tools-version: 6.1
// Athena Serving: a Kubernetes operator, a gateway sidecar and a CLI for serving AI inference code.
//
// Module doors open one way (see README "Layout"):
//   CCurl → KubeTransport → KubeClient → KubeRuntime → AthenaControllers → athena-operator
//   KubeModel → {KubeClient, AthenaAPI}
//   AthenaAPI, EngineProtocol → AthenaGateway → athena-gateway, AthenaCLI → athena
//   KubeTesting: test support only (in-memory API server) → kube-testserver
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// The gateway's request path: nonisolated async functions run on their caller's executor
/// (the connection's event loop), so the ~10 awaits of a request do not each ask the runtime
/// for the task's preferred executor (a lock per `swift_task_switch`).
let gatewaySettings: [SwiftSetting] = swiftSettings + [
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
    name: "athena-serving",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "athena-operator", targets: ["athena-operator"]),
        .executable(name: "athena-gateway", targets: ["athena-gateway"]),
        .executable(name: "athena", targets: ["athena"]),
        .executable(name: "kube-testserver", targets: ["kube-testserver"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.0"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.0"),
        // Already built for grpc-swift-nio-transport (via swift-certificates): HMAC-SHA256 for auth.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // MARK: - Kubernetes side
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(name: "KubeModel", swiftSettings: swiftSettings),
        .target(
            name: "KubeTransport",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeModel", "KubeTransport",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KubeRuntime",
            dependencies: [
                "KubeClient", "KubeModel",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AthenaAPI",
            dependencies: ["KubeModel"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AthenaControllers",
            dependencies: [
                "KubeRuntime", "KubeClient", "KubeModel", "AthenaAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KubeTesting",
            dependencies: [
                "KubeModel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: - Serving side
        .target(
            name: "EngineProtocol",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AthenaGateway",
            dependencies: [
                "AthenaAPI", "EngineProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: gatewaySettings
        ),
        .target(
            name: "AthenaCLI",
            dependencies: [
                "AthenaAPI", "AthenaGateway", "AthenaControllers", "KubeModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: - Executables (thin mains: wiring only)
        .executableTarget(
            name: "athena-operator",
            dependencies: [
                "AthenaControllers", "KubeRuntime", "KubeClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "athena-gateway",
            dependencies: [
                "AthenaGateway",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "athena",
            dependencies: ["AthenaCLI"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "bench-noop-engine",
            dependencies: [
                "EngineProtocol",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ],
            path: "Sources/bench-noop-engine",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kube-testserver",
            dependencies: [
                "KubeTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: - Tests
        .testTarget(name: "KubeModelTests", dependencies: ["KubeModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "KubeTransportTests",
            dependencies: ["KubeTransport", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "KubeClientTests", dependencies: ["KubeClient", "KubeTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "KubeTestingTests", dependencies: ["KubeTesting", "KubeClient"], swiftSettings: swiftSettings),
        .testTarget(name: "KubeRuntimeTests", dependencies: ["KubeRuntime", "KubeTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "AthenaAPITests", dependencies: ["AthenaAPI", .product(name: "Yams", package: "Yams")], swiftSettings: swiftSettings),
        .testTarget(name: "AthenaControllersTests", dependencies: ["AthenaControllers", "KubeTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "AthenaGatewayTests",
            dependencies: [
                "AthenaGateway", "EngineProtocol",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // The gateway speaks gRPC itself; the tests check it against grpc-swift servers.
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AthenaCLITests",
            dependencies: [
                "AthenaCLI", "AthenaAPI", "AthenaGateway", "KubeModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Fixtures are read from the source tree by path (kubectl -f, the TLS proxy script), not bundled.
        .testTarget(name: "EndToEndTests", dependencies: ["KubeTesting", "KubeClient", "AthenaAPI"], exclude: ["Fixtures"],
                    swiftSettings: swiftSettings),
    ]
)
