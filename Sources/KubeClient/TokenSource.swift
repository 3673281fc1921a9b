import Foundation
import Synchronization

/// The bearer token: a fixed string, or a file re-read once a minute (projected
/// service-account tokens rotate under a running pod).
final class TokenSource: Sendable {
    private let fixed: String?
    private let file: String?
    private let cached = Mutex<(token: String, readAt: ContinuousClock.Instant)?>(nil)
    private static let refreshInterval: Duration = .seconds(60)

    init(token: String?, file: String?) {
        self.fixed = token.flatMap { $0.isEmpty ? nil : $0 }
        self.file = file
    }

    func token() throws(KubeError) -> String? {
        if let fixed { return fixed }
        guard let file else { return nil }
        let now = ContinuousClock.now
        if let cached = cached.withLock({ $0 }), now - cached.readAt < Self.refreshInterval { return cached.token }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw .config("cannot read bearer token file \(file): \(error.localizedDescription)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        cached.withLock { $0 = (token, now) }
        return token.isEmpty ? nil : token
    }
}
