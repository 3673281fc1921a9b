/// Where a model package or batch data lives: `pvc://<claim>[/<path>]`, an absolute path in
/// the pod, or (model packages only) an `http(s)://` URL.
public enum StoragePath {
    /// A parsed location.
    public enum Location: Sendable, Hashable {
        /// A PersistentVolumeClaim in the object's namespace and a path inside it ("" for its root).
        case pvc(claim: String, path: String)
        case http(url: String)
        /// A path inside the pod (a volume mounted by other means).
        case local(path: String)
    }

    /// Parses `text`; `allowHTTP` admits `http://` and `https://`. Throws a message naming the
    /// accepted forms.
    public static func parse(_ text: String, allowHTTP: Bool) throws(FieldMessage) -> Location {
        if text.hasPrefix("pvc://") {
            let rest = text.dropFirst("pvc://".count)
            let claim = String(rest.prefix { $0 != "/" })
            if let problem = NameRules.dns1123Subdomain(claim) {
                throw FieldMessage("the claim name in \"\(text)\" \(problem)")
            }
            let path = String(rest.dropFirst(claim.count))
            if path.split(separator: "/").contains("..") {
                throw FieldMessage("\"\(text)\" must not contain '..'")
            }
            return .pvc(claim: claim, path: path)
        }
        if allowHTTP && (text.hasPrefix("http://") || text.hasPrefix("https://")) {
            let host = text.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first
            guard host != nil else { throw FieldMessage("\"\(text)\" has no host") }
            guard !text.contains(where: { $0.isWhitespace }) else {
                throw FieldMessage("\"\(text)\" must not contain spaces")
            }
            return .http(url: text)
        }
        if text.hasPrefix("/") {
            if text.split(separator: "/").contains("..") {
                throw FieldMessage("\"\(text)\" must not contain '..'")
            }
            return .local(path: text)
        }
        let forms = allowHTTP ? "http(s)://…, pvc://<claim>/<path> or an absolute path" : "pvc://<claim>/<path> or an absolute path"
        throw FieldMessage("\"\(text)\" is not a supported location; use \(forms)")
    }
}

/// A validation message without a path yet; the caller knows where it applies.
public struct FieldMessage: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
