import CCurl
import Foundation

/// `HTTPTransport` over libcurl.
///
/// libcurl's easy interface blocks, so every transfer runs on its own thread, never on the Swift
/// concurrency pool; results cross back through a continuation (the head) and an
/// `AsyncThrowingStream` (the body). Easy handles are pooled, and with them their connection
/// caches, so consecutive requests to the API server reuse kept-alive connections.
public final class CurlTransport: HTTPTransport {
    public let configuration: TransportConfiguration
    private let pool: CurlHandlePool

    public init(configuration: TransportConfiguration = TransportConfiguration()) {
        self.configuration = configuration
        self.pool = CurlHandlePool(maxIdle: configuration.maxIdleHandles)
        CurlGlobal.ensureInitialized()
    }

    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamResponse {
        let transfer = CurlTransfer()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.setHeadContinuation(continuation)
                let thread = Thread { [self] in self.run(request, transfer) }
                thread.name = "curl \(request.method)"
                thread.start()
            }
        } onCancel: {
            transfer.cancel()
        }
    }

    // MARK: - The transfer thread

    private func run(_ request: HTTPRequest, _ transfer: CurlTransfer) {
        let handle: EasyHandle
        do {
            handle = try pool.take()
        } catch {
            transfer.fail(error)
            return
        }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer {
            pool.give(handle)  // resets the handle, so it no longer points at our buffers
            curl_slist_free_all(headerList)
            errorBuffer.deallocate()
        }

        let raw = handle.raw
        let userData = Unmanaged.passUnretained(transfer).toOpaque()
        var options = CurlOptions(handle: raw)
        options.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        options.set(CURLOPT_URL, request.url)
        options.set(CURLOPT_NOSIGNAL, 1)
        options.set(CURLOPT_TCP_KEEPALIVE, 1)
        options.set(CURLOPT_USERAGENT, configuration.userAgent)
        options.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(configuration.connectTimeout))
        if let timeout = request.timeout { options.set(CURLOPT_TIMEOUT_MS, max(1, Self.milliseconds(timeout))) }

        switch request.method.uppercased() {
        case "GET": options.set(CURLOPT_HTTPGET, 1)
        case "HEAD": options.set(CURLOPT_NOBODY, 1)
        default: options.set(CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let body = request.body {
            options.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(body.count))
            // COPYPOSTFIELDS copies, so the bytes need not outlive this call; the trailing NUL
            // keeps an empty body a valid (empty) C buffer.
            var bytes = [UInt8](body)
            bytes.append(0)
            bytes.withUnsafeMutableBytes { options.set(CURLOPT_COPYPOSTFIELDS, pointer: $0.baseAddress) }
        }

        var headers = request.headers
        if let token = configuration.bearerToken, headers["Authorization"] == nil {
            headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        headers.add(name: "Expect", value: "")  // no 100-continue round trip for large bodies
        for field in headers {
            // "Name;" is libcurl's spelling of a header with an empty value; "Name:" removes one.
            let line = field.value.isEmpty && field.name == "Expect" ? "Expect:" : "\(field.name): \(field.value)"
            headerList = curl_slist_append(headerList, line)
        }
        options.set(CURLOPT_HTTPHEADER, list: headerList)

        configureTLS(&options)

        options.set(CURLOPT_HEADERDATA, pointer: userData)
        options.setCallback(CURLOPT_HEADERFUNCTION) { buffer, size, count, userData in
            guard let buffer, let userData else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userData).takeUnretainedValue()
            transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: buffer, count: size * count))
            return size * count
        }
        options.set(CURLOPT_WRITEDATA, pointer: userData)
        options.setCallback(CURLOPT_WRITEFUNCTION) { buffer, size, count, userData in
            guard let userData else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userData).takeUnretainedValue()
            let bytes = UnsafeRawBufferPointer(start: buffer, count: buffer == nil ? 0 : size * count)
            return transfer.receiveBody(bytes) ? size * count : 0
        }
        options.set(CURLOPT_NOPROGRESS, 0)
        options.set(CURLOPT_XFERINFODATA, pointer: userData)
        _ = athena_curl_setopt_xferinfo(raw) { userData, _, _, _, _ in
            guard let userData else { return 0 }
            return Unmanaged<CurlTransfer>.fromOpaque(userData).takeUnretainedValue().isCancelled ? 1 : 0
        }

        if let failure = options.firstFailure {
            transfer.fail(TransportError(code: .invalidRequest, message: "\(request.method) \(request.url): \(failure)"))
            return
        }

        let result = curl_easy_perform(raw)
        if result == CURLE_OK {
            var status = 0
            _ = athena_curl_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &status)
            transfer.complete(status: status)
        } else {
            let detail = String(cString: errorBuffer)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail
            let code: TransportError.Code = transfer.isCancelled ? .cancelled : Self.code(for: result)
            transfer.fail(
                TransportError(
                    code: code, message: "\(request.method) \(request.url): \(message)", curlCode: Int(result.rawValue)))
        }
    }

    private func configureTLS(_ options: inout CurlOptions) {
        let tls = configuration.tls
        if let data = tls.caData {
            options.set(CURLOPT_CAINFO_BLOB, blob: data)
            options.set(CURLOPT_CAPATH, nil)  // trust only the given CA, like client-go
        } else if let file = tls.caFile {
            options.set(CURLOPT_CAINFO, file)
            options.set(CURLOPT_CAPATH, nil)
        }
        if tls.insecureSkipVerify {
            options.set(CURLOPT_SSL_VERIFYPEER, 0)
            options.set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let data = tls.clientCertData {
            options.set(CURLOPT_SSLCERT_BLOB, blob: data)
            options.set(CURLOPT_SSLCERTTYPE, "PEM")
        } else if let file = tls.clientCertFile {
            options.set(CURLOPT_SSLCERT, file)
            options.set(CURLOPT_SSLCERTTYPE, "PEM")
        }
        if let data = tls.clientKeyData {
            options.set(CURLOPT_SSLKEY_BLOB, blob: data)
            options.set(CURLOPT_SSLKEYTYPE, "PEM")
        } else if let file = tls.clientKeyFile {
            options.set(CURLOPT_SSLKEY, file)
            options.set(CURLOPT_SSLKEYTYPE, "PEM")
        }
    }

    // MARK: - Helpers

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    static func code(for result: CURLcode) -> TransportError.Code {
        switch result {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .couldNotResolveHost
        case CURLE_COULDNT_CONNECT: .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT: .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ENGINE_NOTFOUND:
            .tls
        case CURLE_ABORTED_BY_CALLBACK: .cancelled
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_WEIRD_SERVER_REPLY,
            CURLE_HTTP2, CURLE_HTTP2_STREAM:
            .connectionLost
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: .invalidRequest
        default: .other
        }
    }
}
