// MARK: - Engine error codes

/// The non-zero `InferResponse.code` values an Athena engine (the Python SDK) answers with.
///
/// Wrapper failures travel as codes in a normal response, not as gRPC errors, so the gateway
/// can pass AIGES's 30xxx codes through to clients unchanged. A wrapper may also answer with its
/// own code (`Response().response_err(code)`); such codes are not listed here.
/// The full table is in `docs/engine-protocol.md`.
public enum EngineErrorCode: Int32, Sendable, CaseIterable {
    /// The application could not be imported or instantiated.
    case initError = 30001
    /// `wrapperInit` (or the ModelArts constructor) failed or returned non-zero.
    case userInitError = 30002
    /// User code raised during a request.
    case userExecError = 30003
    /// User code returned something the engine cannot send.
    case invalidResponse = 30004
    /// `wrapperCreate` failed.
    case sessionCreateError = 30005
    /// `wrapperWrite` / `wrapperRead` failed.
    case sessionIOError = 30006
    /// No final session result within the engine's timeout.
    case sessionTimeout = 30007
    /// The engine is still loading its model.
    case notReady = 30010
    /// The request cannot be handled as sent (bad JSON body, no data).
    case invalidRequest = 30400
    /// The application does not implement streaming sessions.
    case sessionNotSupported = 30401

    /// The range of codes that blame the request (HTTP 400 at the gateway), including wrappers' own 304xx codes.
    public static let requestErrors: ClosedRange<Int32> = 30400...30499

    /// True when `code` says the client's request was at fault rather than the engine.
    public static func isRequestError(_ code: Int32) -> Bool {
        requestErrors.contains(code)
    }
}
