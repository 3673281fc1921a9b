// bench-noop-engine: a native Athena engine that does no work, so benchmarks measure the gateway
// (ASE JSON + base64 → engine protocol → back) rather than a model. Answers every Infer with one
// small TEXT result and reports SERVING on grpc.health.v1.
//
//   bench-noop-engine [PORT] [--grpc-swift]
//     PORT 0 (default): a free port; prints "listening on 127.0.0.1:PORT".
//     Default server: frame-level HTTP/2 (NoopFrameHandler), one event loop, a few µs per call.
//     --grpc-swift: grpc-swift-2's GRPCServer with the same answers (heavier: ~130 µs per call).
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOHTTP2
import NIOPosix

let arguments = CommandLine.arguments.dropFirst()
let port = arguments.first(where: { !$0.hasPrefix("--") }).flatMap { Int($0) } ?? 0

if arguments.contains("--grpc-swift") {
    let server = GRPCServer(
        transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: port), transportSecurity: .plaintext),
        services: [NoopEngine(), NoopHealth()])
    try await withThrowingDiscardingTaskGroup { group in
        group.addTask { try await server.serve() }
        if let address = try await server.listeningAddress?.ipv4 {
            print("listening on \(address.host):\(address.port)")
            fflush(nil)
        }
    }
} else {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let channel = try await ServerBootstrap(group: group)
        .serverChannelOption(.backlog, value: 256)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let sync = channel.pipeline.syncOperations
                try sync.addHandler(NIOHTTP2Handler(mode: .server, initialSettings: [
                    HTTP2Setting(parameter: .maxConcurrentStreams, value: 1024),
                    HTTP2Setting(parameter: .initialWindowSize, value: 1 << 20),
                ]))
                try sync.addHandler(NoopFrameHandler())
            }
        }
        .bind(host: "127.0.0.1", port: port).get()
    print("listening on 127.0.0.1:\(channel.localAddress?.port ?? port)")
    fflush(nil)
    try await channel.closeFuture.get()
}
