public import AthenaAPI
import Crypto
import Foundation

/// `auth` of a service: who may call it (the OnlineService's `spec.auth`, mounted Secret and
/// all). Checked for every inference request and model-metadata read of the service, before
/// anything is decoded or sent to an engine; health, metrics, `/openapi.json` and the test page
/// stay open (probes and scrapers carry no credentials).
///
/// - `token`: `X-Auth-Token: <t>` (ModelArts) or `Authorization: Bearer <t>`; credentials file `tokens`.
/// - `appcode`: `X-Apig-AppCode: <c>` (ModelArts' APP auth; `X-Api-AppCode` too); file `appcodes`.
/// - `hmac`: a signed request (``HMACAuthorization``); file `credentials`, lines `api_key:secret`.
///
/// The credentials are read when the routing table is built: a table whose credentials cannot be
/// read is refused like any bad table (at start the gateway exits saying why; on reload the last
/// good table stays). The reload loop watches the credentials too (``fingerprint(of:)``), so a
/// rotated Secret takes effect without a restart. Refusals are 401 with code 10105 and a message
/// that says what is missing, never which credential was close, and a `WWW-Authenticate`
/// challenge naming the scheme.
public final class ServiceAuth: Sendable {
    /// The mode and what it checks against.
    private enum Credentials {
        case none
        /// Accepted tokens.
        case token([String])
        /// Accepted app codes.
        case appcode([String])
        /// api key → its signing key.
        case hmac([String: HMACAuthorization.Key])
    }
    private let credentials: Credentials

    /// Reads the credentials of `auth`.
    init(_ auth: RoutingTableAuth) throws {
        switch auth.mode {
        case .none:
            credentials = .none
        case .token:
            credentials = .token(try Self.credentialLines(auth).map(\.line))
        case .appcode:
            credentials = .appcode(try Self.credentialLines(auth).map(\.line))
        case .hmac:
            var secrets: [String: HMACAuthorization.Key] = [:]
            for (number, line) in try Self.credentialLines(auth) {
                guard let colon = line.firstIndex(of: ":"), colon != line.startIndex, line.index(after: colon) != line.endIndex else {
                    throw RoutingTableLoadError(file: auth.secretFile ?? "", message: "credentials line \(number): expected api_key:secret")
                }
                secrets[String(line[..<colon])] = HMACAuthorization.Key(secret: String(line[line.index(after: colon)...]))
            }
            credentials = .hmac(secrets)
        }
    }

    /// Why `request` may not call the service, or `nil` when it may. `now` (for HMAC's clock
    /// skew) is read only when a signature is checked: most services have no auth, and the
    /// clock read is a measurable part of a pass-through request.
    func refusal(_ request: GatewayHTTPRequest, now: Date? = nil) -> GatewayError? {
        switch credentials {
        case .none:
            return nil
        case .token(let keys):
            var token = request.headers.first(name: "x-auth-token")
            if token == nil, let authorization = request.headers.first(name: "authorization"),
                authorization.lowercased().hasPrefix("bearer ")
            {
                token = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            }
            let challenge = [(name: "www-authenticate", value: "Bearer realm=\"athena\"")]
            guard let token, !token.isEmpty else {
                return GatewayError(.unauthorized, "missing credentials: send X-Auth-Token: <token> or Authorization: Bearer <token>",
                                    headers: challenge)
            }
            return Self.contains(keys, token) ? nil : GatewayError(.unauthorized, "invalid token", headers: challenge)
        case .appcode(let keys):
            let challenge = [(name: "www-authenticate", value: "AppCode realm=\"athena\"")]
            let code = [request.headers.first(name: "x-apig-appcode"), request.headers.first(name: "x-api-appcode")]
                .compactMap { $0 }.first { !$0.isEmpty }
            guard let code else {
                return GatewayError(.unauthorized, "missing credentials: send X-Apig-AppCode: <AppCode>", headers: challenge)
            }
            return Self.contains(keys, code) ? nil : GatewayError(.unauthorized, "invalid AppCode", headers: challenge)
        case .hmac(let secrets):
            let challenge = [(name: "www-authenticate",
                              value: "HMAC realm=\"athena\", algorithm=\"hmac-sha256\", headers=\"date request-line digest\"")]
            return HMACAuthorization.check(request, keys: secrets, now: now ?? Date()).map { GatewayError(.unauthorized, $0, headers: challenge) }
        }
    }

    /// Compares against every key, each without an early exit.
    private static func contains(_ keys: [String], _ candidate: String) -> Bool {
        var found = false
        for key in keys where HMACAuthorization.constantTimeEqual(key, candidate) { found = true }
        return found
    }

    /// The files that hold a mode's credentials inside a Secret folder, in the order they are read.
    static func fileNames(for mode: RoutingTableAuth.Mode) -> [String] {
        switch mode {
        case .none: []
        case .token: ["tokens", "token"]
        case .appcode: ["appcodes", "appcode"]
        case .hmac: ["credentials"]
        }
    }

    /// The credential files of `auth` that exist: the folder's files for the mode, or the file itself.
    private static func files(_ auth: RoutingTableAuth) -> [String] {
        guard let path = auth.secretFile, !path.isEmpty else { return [] }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return [] }
        guard isFolder.boolValue else { return [path] }
        return fileNames(for: auth.mode).map { (path as NSString).appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// Non-empty lines that are not `#` comments, with their line numbers.
    private static func credentialLines(_ auth: RoutingTableAuth) throws -> [(number: Int, line: String)] {
        let path = auth.secretFile ?? ""
        let files = files(auth)
        guard !files.isEmpty else {
            let wanted = fileNames(for: auth.mode).joined(separator: " or ")
            throw RoutingTableLoadError(file: path, message: "auth.mode \(auth.mode.rawValue): no credentials file (\(wanted) in the Secret)")
        }
        var lines: [(Int, String)] = []
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw RoutingTableLoadError(file: file, message: "cannot read the credentials")
            }
            for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                if !line.isEmpty && !line.hasPrefix("#") { lines.append((index + 1, line)) }
            }
        }
        guard !lines.isEmpty else {
            throw RoutingTableLoadError(file: path, message: "auth.mode \(auth.mode.rawValue): the credentials file has no entry")
        }
        return lines
    }

    /// A digest of the credentials: the reload loop compares it to notice a rotated Secret
    /// (Kubernetes swaps the mounted files by a symlink, which a modification time misses).
    static func fingerprint(of auth: RoutingTableAuth) -> String {
        guard auth.mode != .none else { return "" }
        var hash = SHA256()
        for file in files(auth) {
            hash.update(data: Data(file.utf8))
            hash.update(data: (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data("?".utf8))
        }
        return hash.finalize().map { String($0, radix: 16) }.joined()
    }
}
