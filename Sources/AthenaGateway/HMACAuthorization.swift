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
/// replayed later. With `digest` in `headers`, `Digest: SHA-256=<base64 of the body's SHA-256>`
/// is checked against the body too, so the signature covers it.
enum HMACAuthorization {
    static let maxSkewSeconds: Double = 300

    /// The parts of an `Authorization` header.
    struct Parameters: Equatable {
        var apiKey: String
        var algorithm: String
        var headers: [String]
        var signature: String
    }

    /// Checks a request against `secrets` (api key → secret). `nil` when it is signed right.
    static func check(_ request: GatewayHTTPRequest, secrets: [String: String], now: Date) -> String? {
        guard let header = request.headers.first(name: "authorization") else {
            return "missing Authorization: this service takes HMAC-signed requests (api_key, algorithm, headers, signature)"
        }
        let parameters: Parameters
        switch parse(header) {
        case .success(let parsed): parameters = parsed
        case .failure(let problem): return problem.message
        }
        guard parameters.algorithm.lowercased() == "hmac-sha256" else {
            return "Authorization: algorithm \"\(parameters.algorithm)\" is not supported (use hmac-sha256)"
        }
        let dateName = parameters.headers.first { $0 == "date" || $0 == "x-date" }
        guard let dateName, parameters.headers.contains("request-line") else {
            return "Authorization: the signed headers must include date (or x-date) and request-line"
        }
        guard let dateText = request.headers.first(name: dateName), let date = HTTPDate.parse(dateText) else {
            return "\(dateName): missing, or not an HTTP date such as \"Sun, 06 Dec 2026 16:00:00 GMT\""
        }
        let skew = abs(date.timeIntervalSince(now))
        guard skew <= maxSkewSeconds else {
            return "\(dateName) is \(Int(skew)) s away from the gateway's clock (at most \(Int(maxSkewSeconds)) s)"
        }
        guard let secret = secrets[parameters.apiKey] else { return "Authorization: unknown api_key" }
        if parameters.headers.contains("digest") {
            guard let digest = request.headers.first(name: "digest"), digest.hasPrefix("SHA-256=") else {
                return "digest: missing, or not SHA-256=<base64>"
            }
            let actual = Data(SHA256.hash(data: Data(request.body.readableBytesView))).base64EncodedString()
            guard constantTimeEqual(String(digest.dropFirst(8)), actual) else { return "digest does not match the body" }
        }
        guard let text = signingString(request, headers: parameters.headers) else {
            return "Authorization: a signed header is missing from the request"
        }
        let expected = signature(of: text, secret: secret)
        return constantTimeEqual(parameters.signature, expected) ? nil : "signature does not match"
    }

    /// The text the client signed, or `nil` when a named header is absent.
    static func signingString(_ request: GatewayHTTPRequest, headers names: [String]) -> String? {
        var lines: [String] = []
        for name in names {
            if name == "request-line" {
                lines.append("\(request.method) \(request.path) HTTP/1.1")
            } else {
                guard let value = request.headers.first(name: name) else { return nil }
                lines.append("\(name): \(value)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// base64(HMAC-SHA256(secret, text)): what a client computes to sign.
    static func signature(of text: String, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Data(code).base64EncodedString()
    }

    struct ParseProblem: Error { var message: String }

    /// `api_key="K", algorithm="hmac-sha256", headers="host date request-line", signature="S"`.
    static func parse(_ header: String) -> Result<Parameters, ParseProblem> {
        var values: [String: String] = [:]
        var rest = Substring(header)
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard !rest.isEmpty else { break }
            guard let equals = rest.firstIndex(of: "=") else {
                return .failure(ParseProblem(message: "Authorization: expected name=\"value\" pairs"))
            }
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            guard rest.first == "\"", let close = rest.dropFirst().firstIndex(of: "\"") else {
                return .failure(ParseProblem(message: "Authorization: the value of \(name) must be in double quotes"))
            }
            values[name] = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
        }
        for required in ["api_key", "algorithm", "headers", "signature"] where (values[required] ?? "").isEmpty {
            return .failure(ParseProblem(message: "Authorization: \(required) is missing"))
        }
        let names = values["headers"]!.split(separator: " ").map { $0.lowercased() }
        return .success(Parameters(apiKey: values["api_key"]!, algorithm: values["algorithm"]!, headers: names,
                                   signature: values["signature"]!))
    }

    /// Compares without stopping at the first difference (the time taken says nothing of where
    /// a guess went wrong).
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<min(x.count, y.count) { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

/// HTTP dates (RFC 9110 IMF-fixdate): `Sun, 06 Dec 2026 16:00:00 GMT`.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parse(_ text: String) -> Date? {
        let words = text.split(separator: " ")
        guard words.count == 6, words[0].hasSuffix(","), words[5] == "GMT",
            let day = Int(words[1]), let month = months.firstIndex(of: words[2].lowercased()), let year = Int(words[3])
        else { return nil }
        let clock = words[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (1...31).contains(day), (0...23).contains(clock[0]), (0...59).contains(clock[1]),
            (0...60).contains(clock[2])
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(clock[0])
        parts.tm_min = Int32(clock[1])
        parts.tm_sec = Int32(clock[2])
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    static func format(_ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)].capitalized) "
            + "\(Int(parts.tm_year) + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
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
