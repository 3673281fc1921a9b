import Hummingbird
import Logging

/// Outermost middleware: in-flight gauge, request metrics and one structured access-log line
/// per request (method, path, status, code, latency, sizes, sid — never payloads or secrets).
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let metrics: GatewayMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        metrics.inflight.increment()
        defer { metrics.inflight.decrement() }
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let service = response.headers[GatewayHeaders.service]
        if let service {
            metrics.requestFinished(
                service: service, version: response.headers[GatewayHeaders.version] ?? "",
                status: Int(response.status.code), seconds: seconds,
                requestBytes: request.headers[.contentLength].flatMap { Int($0) } ?? 0,
                responseBytes: response.body.contentLength ?? 0)
        }
        if logger.logLevel <= .info {
            logger.info("request", metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)",
                "status": "\(response.status.code)", "code": "\(response.headers[GatewayHeaders.code] ?? "0")",
                "sid": "\(context.sid)", "service": "\(service ?? "-")",
                "version": "\(response.headers[GatewayHeaders.version] ?? "-")",
                "ms": "\(Int(seconds * 1000))", "bytes_in": "\(request.headers[.contentLength] ?? "-")",
                "bytes_out": "\(response.body.contentLength ?? 0)",
            ])
        }
        return response
    }
}
