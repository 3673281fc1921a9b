import AthenaAPI
@testable import AthenaGateway
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import NIOCore
import Synchronization
import Testing

/// `auth` (token, appcode, hmac) and `rateLimit` of a service, through the gateway's routes.
@Suite("Auth and rate limits")
struct AuthAndRateLimitTests {
    /// A folder standing in for the mounted Secret, removed afterwards.
    static func withSecretFolder(_ files: [String: String], _ body: (String) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("athena-auth-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (name, text) in files { try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        try await body(folder)
    }

    /// A router-tested gateway whose one service has `mode` auth with these credential files.
    static func withAuthGateway(
        _ mode: RoutingTableAuth.Mode, files: [String: String], file: String? = nil,
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        try await withSecretFolder(files) { folder in
            let path = file.map { folder + "/" + $0 } ?? folder
            let gateway = try Fixtures.gateway(table(auth: .init(mode: mode, secretFile: path)), factory: FakeEngineFactory())
            try await gateway.makeApplication().test(.router) { client in try await body(client) }
        }
    }

    static func table(auth: RoutingTableAuth = .init(), rateLimit: RoutingTableRateLimit = .init()) -> RoutingTable {
        var table = Fixtures.table()
        table.services[0].auth = auth
        table.services[0].rateLimit = rateLimit
        return table
    }

    /// `(status, header.code, header.message, response headers)` of one request.
    static func call(
        _ client: some TestClientProtocol, uri: String = "/v1/private/digits", method: HTTPRequest.Method = .post,
        headers: HTTPFields = [:], body: ByteBuffer = Fixtures.aseBody()
    ) async throws -> (status: Int, code: Int?, message: String?, headers: HTTPFields) {
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body)
        let json = try? JSONValue.parse(Data(response.body.readableBytesView))
        return (response.status.code, json?[path: ["header", "code"]]?.intValue, json?[path: ["header", "message"]]?.stringValue,
                response.headers)
    }

    @Test("token: X-Auth-Token or Bearer passes; none or a wrong one → 401/10105 with WWW-Authenticate; model metadata guarded, health open")
    func token() async throws {
        try await Self.withAuthGateway(.token, files: ["tokens": "# rotated monthly\nfirst-token\n\nsecond-token\n"]) { client in
            let missing = try await Self.call(client)
            #expect(missing.status == 401 && missing.code == 10105)
            #expect(missing.message == "missing credentials: send X-Auth-Token: <token> or Authorization: Bearer <token>")
            #expect(missing.headers[HTTPField.Name("www-authenticate")!] == "Bearer realm=\"athena\"")
            let wrong = try await Self.call(client, headers: [HTTPField.Name("x-auth-token")!: "first-tokeN"])
            #expect(wrong.status == 401 && wrong.message == "invalid token")
            #expect(try await Self.call(client, headers: [HTTPField.Name("x-auth-token")!: "first-token"]).status == 200)
            #expect(try await Self.call(client, headers: [.authorization: "Bearer second-token"]).status == 200)
            #expect(try await Self.call(client, headers: [.authorization: "Basic second-token"]).status == 401)
            #expect(try await Self.call(client, uri: "/v2/models/digits/infer", body: ByteBuffer(string: "{}")).status == 401)
            #expect(try await Self.call(client, uri: "/v2/models/digits", method: .get).status == 401)
            #expect(try await Self.call(client, uri: "/v2/models/digits", method: .get, headers: [.authorization: "Bearer first-token"]).status == 200)
            #expect(try await Self.call(client, uri: "/healthz", method: .get).status == 200)
        }
    }

    @Test("every inference route of every protocol, and every model read, is refused without credentials and served with them",
          arguments: [
              ("POST", "/v1/private/digits"), ("POST", "/v1/digits"), ("POST", "/v1/infers/digits"), ("POST", "/v1/models/digits:predict"),
              ("POST", "/v2/models/digits/infer"), ("POST", "/v2/models/digits/versions/v1/infer"),
              ("GET", "/v1/models/digits"), ("GET", "/v2/models/digits"), ("GET", "/v2/models/digits/ready"),
          ])
    func everyRoute(_ method: String, _ uri: String) async throws {
        try await Self.withAuthGateway(.token, files: ["tokens": "t0k\n"]) { client in
            let verb: HTTPRequest.Method = method == "GET" ? .get : .post
            let body = method == "GET" ? ByteBuffer() : ByteBuffer(string: "{}")
            let refused = try await Self.call(client, uri: uri, method: verb, body: body)
            #expect(refused.status == 401 && refused.code == 10105, "\(method) \(uri) without credentials: \(refused.status)")
            let allowed = try await Self.call(client, uri: uri, method: verb, headers: [.authorization: "Bearer t0k"], body: body)
            #expect(allowed.status != 401 && allowed.code != 10105, "\(method) \(uri) with credentials: \(allowed.status) \(allowed.message ?? "")")
        }
    }

    @Test("appcode: X-Apig-AppCode (or X-Api-AppCode) from a single credentials file")
    func appcode() async throws {
        try await Self.withAuthGateway(.appcode, files: ["appcodes": "c0de\n"], file: "appcodes") { client in
            let missing = try await Self.call(client)
            #expect(missing.status == 401 && missing.message == "missing credentials: send X-Apig-AppCode: <AppCode>")
            #expect(try await Self.call(client, headers: [HTTPField.Name("x-apig-appcode")!: "c0dE"]).message == "invalid AppCode")
            #expect(try await Self.call(client, headers: [HTTPField.Name("x-apig-appcode")!: "c0de"]).status == 200)
            #expect(try await Self.call(client, headers: [HTTPField.Name("x-api-appcode")!: "c0de"]).status == 200)
            let both: HTTPFields = [HTTPField.Name("x-apig-appcode")!: "", HTTPField.Name("x-api-appcode")!: "c0de"]
            #expect(try await Self.call(client, headers: both).status == 200, "an empty X-Apig-AppCode does not hide X-Api-AppCode")
            #expect(missing.headers[HTTPField.Name("www-authenticate")!] == "AppCode realm=\"athena\"")
        }
    }

    /// Signs like a client would, written out here (not with the gateway's helper).
    static func signed(
        key: String = "ak1", secret: String = "s3cret", path: String = "/v1/private/digits", method: String = "POST", date: Date = Date(),
        names: String = "host date request-line digest", body: ByteBuffer = Fixtures.aseBody(), digestOf: ByteBuffer? = nil
    ) -> HTTPFields {
        let dateText = HTTPDate.format(date)
        var lines: [String] = []
        var fields: HTTPFields = [.date: dateText, HTTPField.Name("host")!: "gateway.test"]
        let digest = "SHA-256=" + Data(SHA256.hash(data: Data((digestOf ?? body).readableBytesView))).base64EncodedString()
        fields[HTTPField.Name("digest")!] = digest
        for name in names.split(separator: " ") {
            switch name {
            case "request-line": lines.append("\(method) \(path) HTTP/1.1")
            case "host": lines.append("host: gateway.test")
            case "date": lines.append("date: \(dateText)")
            case "digest": lines.append("digest: \(digest)")
            default: break
            }
        }
        let mac = HMAC<SHA256>.authenticationCode(for: Data(lines.joined(separator: "\n").utf8), using: SymmetricKey(data: Data(secret.utf8)))
        fields[.authorization] = "api_key=\"\(key)\", algorithm=\"hmac-sha256\", headers=\"\(names)\", signature=\"\(Data(mac).base64EncodedString())\""
        return fields
    }

    @Test("hmac: a signed request passes; a wrong path, secret, key, stale date, unsigned date or altered body is refused with the reason")
    func hmac() async throws {
        try await Self.withAuthGateway(.hmac, files: ["credentials": "ak1:s3cret\nak2:other:with:colons\n"]) { client in
            #expect(try await Self.call(client, headers: Self.signed()).status == 200)
            #expect(try await Self.call(client, headers: Self.signed(key: "ak2", secret: "other:with:colons")).status == 200)
            #expect(try await Self.call(client).message
                    == "missing Authorization: this service takes HMAC-signed requests (api_key, algorithm, headers, signature)")
            #expect(try await Self.call(client, headers: Self.signed(path: "/v1/private/other")).message == "signature does not match")
            #expect(try await Self.call(client, headers: Self.signed(secret: "guess")).message == "signature does not match")
            #expect(try await Self.call(client, headers: Self.signed(key: "nobody")).message == "signature does not match",
                    "an unknown key is answered like a wrong signature")
            let stale = try await Self.call(client, headers: Self.signed(date: Date() - 400))
            #expect(stale.status == 401)
            #expect(stale.message?.hasSuffix("s away from the gateway's clock (at most 300 s)") == true, "\(stale.message ?? "")")
            #expect(try await Self.call(client, headers: Self.signed(names: "host request-line digest")).message
                    == "Authorization: the signed headers must include date (or x-date) and request-line")
            #expect(try await Self.call(client, headers: Self.signed(names: "host date request-line")).message
                    == "Authorization: a request with a body must sign digest (Digest: SHA-256=<base64 of the body's SHA-256>)")
            let altered = try await Self.call(client, headers: Self.signed(), body: Fixtures.aseBody(image: [1, 2, 3]))
            #expect(altered.message == "digest does not match the body")
            let read = try await Self.call(client, uri: "/v2/models/digits", method: .get,
                                           headers: Self.signed(path: "/v2/models/digits", method: "GET", names: "date request-line"),
                                           body: ByteBuffer())
            #expect(read.status == 200, "a request without a body need not sign digest: \(read.message ?? "")")
            var broken = Self.signed()
            broken[.authorization] = "api_key=ak1, algorithm=\"hmac-sha256\""
            #expect(try await Self.call(client, headers: broken).message == "Authorization: the value of api_key must be in double quotes")
        }
    }

    /// The headers `HMACRequestSigner` makes for a POST to /v1/private/digits of `body`.
    static func signerFields(secret: String, body: ByteBuffer) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in HMACRequestSigner.headers(method: "POST", path: "/v1/private/digits", body: body.readableBytesView,
                                                       apiKey: "ak1", secret: secret) {
            fields[HTTPField.Name(name)!] = value
        }
        return fields
    }

    @Test("HMACRequestSigner (athena call --hmac) signs what the gateway checks, body digest included")
    func signer() async throws {
        try await Self.withAuthGateway(.hmac, files: ["credentials": "ak1:s3cret\n"]) { client in
            let payload = Fixtures.aseBody()
            let good = Self.signerFields(secret: "s3cret", body: payload)
            let otherBody = Self.signerFields(secret: "s3cret", body: Fixtures.aseBody(image: [9]))
            let otherSecret = Self.signerFields(secret: "wrong", body: payload)
            let accepted = try await Self.call(client, headers: good, body: payload)
            let altered = try await Self.call(client, headers: otherBody, body: payload)
            let forged = try await Self.call(client, headers: otherSecret, body: payload)
            #expect(accepted.status == 200)
            #expect(altered.message == "digest does not match the body")
            #expect(forged.message == "signature does not match")
        }
    }

    @Test("credentials that cannot be read refuse the table, saying what is missing; mode without secretFile is a table problem")
    func unreadableCredentials() async throws {
        try await Self.withSecretFolder(["other": "x"]) { folder in
            #expect {
                try Fixtures.gateway(Self.table(auth: .init(mode: .token, secretFile: folder)), factory: FakeEngineFactory())
            } throws: { error in
                "\(error)".contains("auth.mode token: no credentials file (tokens or token in the Secret)")
            }
        }
        try await Self.withSecretFolder(["credentials": "no-colon-here\n"]) { folder in
            #expect {
                try Fixtures.gateway(Self.table(auth: .init(mode: .hmac, secretFile: folder)), factory: FakeEngineFactory())
            } throws: { error in
                "\(error)".contains("credentials line 1: expected api_key:secret")
            }
        }
        #expect(Self.table(auth: .init(mode: .appcode)).problems() == ["services[0].auth.secretFile: required when auth.mode is appcode"])
        #expect(Self.table(rateLimit: .init(qps: -1)).problems() == ["services[0].rateLimit.qps: must be 0 (no limit) or a number from 0.001 to 1000000000"])
        #expect(Self.table(rateLimit: .init(qps: 1e-20)).problems().count == 1)
        #expect(Self.table(rateLimit: .init(qps: 1e20)).problems().count == 1)
        #expect(Self.table(rateLimit: .init(qps: .nan)).problems().count == 1)
    }

    @Test("a rotated Secret takes effect without a restart: the old token is refused, the new one passes")
    func rotation() async throws {
        try await Self.withSecretFolder(["tokens": "old-token\n"]) { folder in
            let file = folder + "/routing.yaml"
            let yaml = """
                apiVersion: athena.dev/routing/v1
                services:
                  - name: digits
                    auth: {mode: token, secretFile: \(folder)}
                    versions:
                      - name: v1
                        endpoints: {static: ["127.0.0.1:50051"]}
                """
            try yaml.write(toFile: file, atomically: true, encoding: .utf8)
            let gateway = try Gateway(configFile: file, options: GatewayOptions(port: 0, engineFactory: FakeEngineFactory(), reloadInterval: .milliseconds(50)))
            try await gateway.makeApplication().test(.router) { client in
                let old: HTTPFields = [.authorization: "Bearer old-token"]
                let new: HTTPFields = [.authorization: "Bearer new-token"]
                #expect(try await Self.call(client, headers: old).status == 200)
                try "new-token\n".write(toFile: folder + "/tokens", atomically: true, encoding: .utf8)
                try await poll { try await Self.call(client, headers: new).status == 200 }
                #expect(try await Self.call(client, headers: old).status == 401)
            }
        }
    }

    @Test("rate limit: the burst passes, the next request gets 429/10429 with Retry-After; other routes are not limited")
    func rateLimit() async throws {
        // One token per 20 s: the test does not depend on how fast the machine runs it (refilling
        // is checked with a hand-moved clock in `bucket`).
        let gateway = try Fixtures.gateway(Self.table(rateLimit: .init(qps: 0.05, burst: 3)), factory: FakeEngineFactory())
        try await gateway.makeApplication().test(.router) { client in
            for _ in 0..<3 { #expect(try await Self.call(client).status == 200) }
            let limited = try await Self.call(client)
            #expect(limited.status == 429 && limited.code == 10429)
            #expect(limited.message == "rate limit of 0.05 requests/s exceeded; retry later")
            let retry = Int(limited.headers[HTTPField.Name("retry-after")!] ?? "") ?? 0
            #expect((1...20).contains(retry), "Retry-After \(retry)")
            #expect(try await Self.call(client, uri: "/healthz", method: .get).status == 200, "operational routes are not limited")
        }
    }

    @Test("HTTP dates: IMF-fixdate parsed and written back; other forms refused")
    func httpDates() {
        let date = HTTPDate.parse("Sun, 06 Dec 2026 16:00:00 GMT")
        #expect(date == Date(timeIntervalSince1970: 1_796_572_800))
        #expect(date.map(HTTPDate.format) == "Sun, 06 Dec 2026 16:00:00 GMT")
        #expect(HTTPDate.parseCached("Sun, 06 Dec 2026 16:00:00 GMT") == date)
        for bad in ["", "Sun, 06 Dec 2026 16:00:00 UTC", "06 Dec 2026 16:00:00 GMT", "Sun, 06 Foo 2026 16:00:00 GMT",
                    "Sun, 32 Dec 2026 16:00:00 GMT", "Sun, 06 Dec 2026 24:00:00 GMT", "Sunday, 06-Dec-26 16:00:00 GMT",
                    "Sun, 06 Dec 99999999999 16:00:00 GMT", "Sun, 06 Dec -2026 16:00:00 GMT", "Sun, 06 Dec 0026 16:00:00 GMT"] {
            #expect(HTTPDate.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("the token bucket: refills at qps up to burst, and says how long until the next token")
    func bucket() {
        let start = ContinuousClock.now
        let limiter = RateLimiter(qps: 2, burst: 2, now: start)
        #expect(limiter.admit(now: start) == nil)
        #expect(limiter.admit(now: start) == nil)
        #expect(limiter.admit(now: start) == .milliseconds(500))
        #expect(limiter.admit(now: start + .milliseconds(250)) == .milliseconds(250))
        #expect(limiter.admit(now: start + .milliseconds(500)) == nil)
        #expect(limiter.admit(now: start + .seconds(60)) == nil, "a long pause refills to the burst, not beyond")
        #expect(limiter.admit(now: start + .seconds(60)) == nil)
        #expect(limiter.admit(now: start + .seconds(60)) != nil)
        #expect(RateLimiter(qps: 0.5, burst: nil).burst == 1)
    }

    @Test("hmac through the production HTTP server: a signed request passes, the same one with another body is refused")
    func liveHMAC() async throws {
        try await Self.withSecretFolder(["credentials": "ak1:s3cret\n"]) { folder in
            let port = Mutex(0)
            let gateway = try Gateway(table: Self.table(auth: .init(mode: .hmac, secretFile: folder)), options: GatewayOptions(
                port: 0, engineFactory: FakeEngineFactory(), onServerRunning: { bound in port.withLock { $0 = bound } }))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await gateway.run() }
                try await poll { port.withLock { $0 } != 0 }
                defer { group.cancelAll() }
                let body = Fixtures.aseBody()
                let signed = Self.signed(body: body)
                let headers = signed.map { "\($0.name.rawName): \($0.value)\r\n" }.joined()
                func post(_ text: String, close: Bool = false) -> String {
                    "POST /v1/private/digits HTTP/1.1\r\n\(headers)content-type: application/json\r\ncontent-length: \(text.utf8.count)\r\n"
                        + (close ? "connection: close\r\n" : "") + "\r\n" + text
                }
                let answer = try await RawClient.exchange(port: port.withLock { $0 },
                                                          bytes: post(String(buffer: body)) + post(String(buffer: Fixtures.aseBody(image: [7])), close: true))
                let replies = answer.components(separatedBy: "HTTP/1.1 ").dropFirst()
                #expect(replies.count == 2)
                #expect(replies.first?.hasPrefix("200") == true, "\(answer)")
                #expect(replies.last?.hasPrefix("401") == true && replies.last?.contains("digest does not match the body") == true, "\(answer)")
                #expect(replies.last?.lowercased().contains("www-authenticate: hmac realm=\"athena\"") == true)
            }
        }
    }

    @Test("the production HTTP server writes WWW-Authenticate and Retry-After on its refusals")
    func liveHeaders() async throws {
        try await Self.withSecretFolder(["tokens": "t\n"]) { folder in
            let table = Self.table(auth: .init(mode: .token, secretFile: folder), rateLimit: .init(qps: 0.01, burst: 1))
            let port = Mutex(0)
            let gateway = try Gateway(table: table, options: GatewayOptions(
                port: 0, engineFactory: FakeEngineFactory(), onServerRunning: { bound in port.withLock { $0 = bound } }))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await gateway.run() }
                try await poll { port.withLock { $0 } != 0 }
                defer { group.cancelAll() }
                let body = String(buffer: Fixtures.aseBody())
                func post(_ auth: String) -> String {
                    "POST /v1/private/digits HTTP/1.1\r\nhost: x\r\n\(auth)content-type: application/json\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)"
                }
                let answer = try await RawClient.exchange(
                    port: port.withLock { $0 },
                    bytes: post("") + post("authorization: Bearer t\r\n") + post("authorization: Bearer t\r\nconnection: close\r\n"))
                let replies = answer.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.lowercased() }
                #expect(answer.contains("x-athena-code: 10105"))
                #expect(replies.count == 3)
                #expect(replies.first?.hasPrefix("401") == true && replies.first?.contains("www-authenticate: bearer realm=\"athena\"\r\n") == true)
                #expect(replies.dropFirst().first?.hasPrefix("200") == true)
                #expect(replies.last?.hasPrefix("429") == true && replies.last?.contains("retry-after: 100\r\n") == true)
            }
        }
    }
}
