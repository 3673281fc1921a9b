import Hummingbird
import HTTPTypes
import NIOCore
import NIOHTTP1

extension Gateway {
    /// The gateway as a Hummingbird router: one adapter middleware over ``handle(_:)``, so
    /// `makeApplication().test(.router)` exercises exactly the request path the NIO HTTP/1.1
    /// handler serves in production. Auth and rate limits slot into ``handle(_:)``.
    public func makeRouter() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        router.add(middleware: GatewayRouterAdapter(gateway: self))
        return router
    }
}

/// Converts a Hummingbird request into a ``GatewayHTTPRequest`` and the answer back; never
/// calls `next` (the gateway has its own routing).
struct GatewayRouterAdapter: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let gateway: Gateway

    @concurrent func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        var headers = HTTPHeaders()
        for field in request.headers { headers.add(name: field.name.rawName, value: field.value) }
        let answer: GatewayHTTPResponse
        do {
            let body = try await request.body.collect(upTo: gateway.state.maxBodyBytes)
            answer = await gateway.handle(GatewayHTTPRequest(method: request.method.rawValue, path: request.uri.path, headers: headers, body: body))
        } catch is NIOTooManyBytesError {
            answer = .error(GatewayError(.bodyTooLarge, "request body exceeds the limit of \(gateway.state.maxBodyBytes) bytes"), sid: SessionID.next())
        }
        var fields = HTTPFields()
        for header in answer.headerFields(contentLength: answer.body.readableBytes) where header.name != "content-length" {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        if let stream = answer.stream {
            // Taken by Hummingbird's writer: counted as written when taken (this path serves tests).
            return Response(status: answer.status, headers: fields, body: .init(asyncSequence: stream.chunks.map { chunk in
                chunk.written()
                return chunk.bytes
            }))
        }
        return Response(status: answer.status, headers: fields, body: .init(byteBuffer: answer.body))
    }
}
