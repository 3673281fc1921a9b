import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// The `hmac` auth mode: requests signed with a shared secret, the way iFlytek's web APIs (the
/// ASE protocol's home) sign them, so their clients carry over.
///
///     Date: Sun, 06 Dec 2026 16:00:00 GMT
///     Authorization: api_key="K", algorithm="hmac-sha256", headers="host date request-line", signature="B64"
///
/// `signature` = base64(HMAC-SHA256(secret of K, signing string)); the signing string is one
/// line per name of `headers`, joined by `\n`: `request-line` is `POST /v1/private/digits
/// HTTP/1.1` (the path without the query), any other name `name: value` as sent. `headers` must
/// include `date` (or `x-date`, for clients that cannot set Date) and `request-line`; the date
/// must be within ``maxSkewSeconds`` of the gateway's clock, so a captured request cannot be
/// replayed more than 5 minutes later, nor to another path. A request with a body must also sign
/// `digest` (`Digest: SHA-256=<base64 of the body's SHA-256>`, checked against the body): without
/// it, whoever saw one signed request could send any body to that path within those 5 minutes.
/// An unknown api key is answered like a wrong signature (and costs the same time), so the
/// answers do not tell which keys exist.
enum HMACAuthorization {
    static let maxSkewSeconds: Double = 300

    /// The parts of an `Authorization` header.
    struct Parameters: Equatable {
        var apiKey: String
        var algorithm: String
        var headers: [String]
        var signature: String
    }

    /// A key ready to sign: HMAC's key schedule done once, copied per request (a value type).
    struct Key: Sendable {
        let initial: HMAC<SHA256>
        init(secret: String) { initial = HMAC<SHA256>(key: SymmetricKey(data: Data(secret.utf8))) }
    }

    /// Checks a request against `keys` (api key → key). `nil` when it is signed right.
    ///
    /// Runs on every request of an hmac service, so it stays on bytes: no Foundation string
    /// functions (on Linux they go through NSString), no base64 encoding (the client's values
    /// are decoded and compared as bytes), one cached parse of the current `Date`.
    static func check(_ request: GatewayHTTPRequest, keys: [String: Key], now: Date) -> String? {
        guard let header = request.headers.first(name: "authorization") else {
            return "missing Authorization: this service takes HMAC-signed requests (api_key, algorithm, headers, signature)"
        }
        let parameters: Parameters
        switch parse(header) {
        case .success(let parsed): parameters = parsed
        case .failure(let problem): return problem.message
        }
        var algorithm = parameters.algorithm
        guard algorithm.withUTF8({ ASCIIBytes.equalsLowercase(UnsafeRawBufferPointer($0), "hmac-sha256") }) else {
            return "Authorization: algorithm \"\(parameters.algorithm)\" is not supported (use hmac-sha256)"
        }
        let dateName = parameters.headers.first { $0 == "date" || $0 == "x-date" }
        guard let dateName, parameters.headers.contains("request-line") else {
            return "Authorization: the signed headers must include date (or x-date) and request-line"
        }
        guard let dateText = request.headers.first(name: dateName), let date = HTTPDate.parseCached(dateText) else {
            return "\(dateName): missing, or not an HTTP date such as \"Sun, 06 Dec 2026 16:00:00 GMT\""
        }
        let skew = abs(date.timeIntervalSince(now))
        guard skew <= maxSkewSeconds else {
            return "\(dateName) is \(Int(skew)) s away from the gateway's clock (at most \(Int(maxSkewSeconds)) s)"
        }
        if request.body.readableBytes > 0, !parameters.headers.contains("digest") {
            return "Authorization: a request with a body must sign digest (Digest: SHA-256=<base64 of the body's SHA-256>)"
        }
        let known = keys[parameters.apiKey]
        let key = known ?? decoy
        if parameters.headers.contains("digest") {
            guard let digest = request.headers.first(name: "digest"), digest.utf8.starts(with: "SHA-256=".utf8),
                let claimed = decodeBase64(digest.utf8.dropFirst(8))
            else {
                return "digest: missing, or not SHA-256=<base64>"
            }
            let actual = request.body.withUnsafeReadableBytes { Array(SHA256.hash(data: $0)) }
            guard constantTimeEqual(claimed, actual) else { return "digest does not match the body" }
        }
        var text: [UInt8] = []
        text.reserveCapacity(256)
        for name in parameters.headers {
            if !text.isEmpty { text.append(0x0a) }
            if name == "request-line" {
                text += request.method.utf8
                text.append(0x20)
                text += request.path.utf8
                text += " HTTP/1.1".utf8
            } else {
                guard let value = request.headers.first(name: name) else {
                    return "Authorization: the signed header \(name) is missing from the request"
                }
                text += name.utf8
                text += ": ".utf8
                text += value.utf8
            }
        }
        var mac = key.initial
        text.withUnsafeBytes { mac.update(data: $0) }
        guard let claimed = decodeBase64(parameters.signature.utf8) else { return "Authorization: signature is not base64" }
        let matches = constantTimeEqual(claimed, Array(mac.finalize()))
        return matches && known != nil ? nil : "signature does not match"
    }

    /// Signs for an unknown api key, so refusing one takes as long as refusing a wrong signature.
    private static let decoy = Key(secret: UUID().uuidString)

    private static func decodeBase64(_ text: some Collection<UInt8>) -> [UInt8]? {
        Array(text).withUnsafeBytes { Base64Bytes.decode($0) }.map { Array($0) }
    }

    /// base64(HMAC-SHA256(secret, text)): what a client computes to sign.
    static func signature(of text: String, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Data(code).base64EncodedString()
    }

    struct ParseProblem: Error { var message: String }

    /// `api_key="K", algorithm="hmac-sha256", headers="host date request-line", signature="S"`,
    /// read byte by byte (names case-insensitive, pairs separated by commas and spaces).
    static func parse(_ header: String) -> Result<Parameters, ParseProblem> {
        let bytes = Array(header.utf8)
        var apiKey: String?, algorithm: String?, headers: String?, signature: String?
        var i = 0
        func skipSeparators() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x2c || bytes[i] == 0x09 { i += 1 } }
        skipSeparators()
        while i < bytes.count {
            let nameStart = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "="), bytes[i] != 0x20 { i += 1 }
            let name = lowercased(bytes[nameStart..<i])
            while i < bytes.count, bytes[i] == 0x20 { i += 1 }
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else {
                return .failure(ParseProblem(message: "Authorization: expected name=\"value\" pairs"))
            }
            i += 1
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                return .failure(ParseProblem(message: "Authorization: the value of \(name) must be in double quotes"))
            }
            i += 1
            let valueStart = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "\"") { i += 1 }
            guard i < bytes.count else {
                return .failure(ParseProblem(message: "Authorization: the value of \(name) must be in double quotes"))
            }
            let value = String(decoding: bytes[valueStart..<i], as: UTF8.self)
            switch name {
            case "api_key": apiKey = value
            case "algorithm": algorithm = value
            case "headers": headers = value
            case "signature": signature = value
            default: break  // other parameters are not ours to judge
            }
            i += 1
            skipSeparators()
        }
        for (required, value) in [("api_key", apiKey), ("algorithm", algorithm), ("headers", headers), ("signature", signature)]
        where (value ?? "").isEmpty {
            return .failure(ParseProblem(message: "Authorization: \(required) is missing"))
        }
        let names = headers!.utf8.split(separator: 0x20).map(lowercased)
        return .success(Parameters(apiKey: apiKey!, algorithm: algorithm!, headers: names, signature: signature!))
    }

    /// ASCII letters lower-cased (header and parameter names).
    private static func lowercased(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5a ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// Compares without stopping at the first difference (the time taken says nothing of where
    /// a guess went wrong).
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        constantTimeEqual(Array(a.utf8), Array(b.utf8))
    }

    static func constantTimeEqual(_ x: [UInt8], _ y: [UInt8]) -> Bool {
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<min(x.count, y.count) { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

/// Signs a request the way ``HMACAuthorization`` checks it: `athena call --hmac` uses it, and it
/// shows a client author the whole scheme in a few lines. Signs `date request-line digest` (the
/// host is left out: HTTP clients write it themselves, port and all).
public enum HMACRequestSigner {
    public static func headers(
        method: String, path: String, body: some Sequence<UInt8>, apiKey: String, secret: String, date: Date = Date()
    ) -> [(name: String, value: String)] {
        let dateText = HTTPDate.format(date)
        let digest = "SHA-256=" + Data(SHA256.hash(data: Data(body))).base64EncodedString()
        let text = "date: \(dateText)\n\(method) \(path) HTTP/1.1\ndigest: \(digest)"
        let signature = HMACAuthorization.signature(of: text, secret: secret)
        return [
            (name: "Date", value: dateText),
            (name: "Digest", value: digest),
            (name: "Authorization",
             value: "api_key=\"\(apiKey)\", algorithm=\"hmac-sha256\", headers=\"date request-line digest\", signature=\"\(signature)\""),
        ]
    }
}
