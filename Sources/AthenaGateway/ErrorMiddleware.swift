import Hummingbird
import NIOCore

/// Turns every error into an ASE error response (non-zero `header.code`, message, sid, fitting
/// HTTP status), including Hummingbird's own 404/413. Innermost, so logging sees the result.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as GatewayError {
            return Self.response(error, sid: context.sid)
        } catch is NIOTooManyBytesError {
            return Self.response(GatewayError(.bodyTooLarge, "request body too large"), sid: context.sid)
        } catch let error as HTTPError {
            let code: GatewayErrorCode = switch error.status.code {
            case 404: .notFound
            case 405: .methodNotAllowed
            case 413: .bodyTooLarge
            case 400..<500: .invalidRequest
            default: .internalError
            }
            var gatewayError = GatewayError(code, error.body ?? (code == .notFound ? "no route for \(request.method) \(request.uri.path)" : "\(error.status)"))
            gatewayError.status = error.status
            return Self.response(gatewayError, sid: context.sid)
        } catch {
            return Self.response(GatewayError(.internalError, "internal error: \(error)"), sid: context.sid)
        }
    }

    static func response(_ error: GatewayError, sid: String, service: String? = nil, version: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json", GatewayHeaders.sid: sid, GatewayHeaders.code: String(error.code)]
        if let service { headers[GatewayHeaders.service] = service }
        if let version { headers[GatewayHeaders.version] = version }
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ASECodec.encodeError(error, sid: sid)))
    }
}
