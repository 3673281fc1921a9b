/// The Kubernetes name grammars (RFC 1123 / 1035 labels and subdomains, label values,
/// qualified names), each returning a message saying what is wrong, or `nil` when valid.
public enum NameRules {
    private static func isLowerAlnum(_ c: Character) -> Bool {
        c.isASCII && (c.isLowercase || c.isNumber)
    }

    private static func isAlnum(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber)
    }

    /// A DNS-1123 label: at most 63 lower-case alphanumerics or '-', starting and ending
    /// alphanumeric (names of most objects that become DNS names).
    public static func dns1123Label(_ s: String) -> String? {
        if s.isEmpty { return "must not be empty" }
        if s.count > 63 { return "must be no more than 63 characters (has \(s.count))" }
        guard s.allSatisfy({ isLowerAlnum($0) || $0 == "-" }), let first = s.first, let last = s.last,
            isLowerAlnum(first), isLowerAlnum(last)
        else {
            return "\"\(s)\" must consist of lower case alphanumeric characters or '-', "
                + "and must start and end with an alphanumeric character"
        }
        return nil
    }

    /// A DNS-1035 label: a DNS-1123 label that starts with a letter (Service names).
    public static func dns1035Label(_ s: String) -> String? {
        if let problem = dns1123Label(s) { return problem }
        if let first = s.first, !first.isLetter { return "\"\(s)\" must start with a lower case letter" }
        return nil
    }

    /// A DNS-1123 subdomain: dot-separated labels, at most 253 characters (object names).
    public static func dns1123Subdomain(_ s: String) -> String? {
        if s.isEmpty { return "must not be empty" }
        if s.count > 253 { return "must be no more than 253 characters (has \(s.count))" }
        for label in s.split(separator: ".", omittingEmptySubsequences: false) {
            guard let first = label.first, let last = label.last, isLowerAlnum(first), isLowerAlnum(last),
                label.allSatisfy({ isLowerAlnum($0) || $0 == "-" })
            else {
                return "\"\(s)\" must consist of lower case alphanumeric characters, '-' or '.', "
                    + "and must start and end with an alphanumeric character"
            }
        }
        return nil
    }

    /// A label value: empty, or at most 63 alphanumerics, '-', '_' or '.', starting and ending
    /// alphanumeric.
    public static func labelValue(_ s: String) -> String? {
        if s.isEmpty { return nil }
        if s.count > 63 { return "must be no more than 63 characters (has \(s.count))" }
        guard let first = s.first, let last = s.last, isAlnum(first), isAlnum(last),
            s.allSatisfy({ isAlnum($0) || $0 == "-" || $0 == "_" || $0 == "." })
        else {
            return "\"\(s)\" must consist of alphanumeric characters, '-', '_' or '.', "
                + "and must start and end with an alphanumeric character"
        }
        return nil
    }

    /// An extended resource name `domain/name` outside `kubernetes.io`, e.g. `nvidia.com/gpu`.
    public static func extendedResourceName(_ s: String) -> String? {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            return "\"\(s)\" must be a domain-prefixed name such as \"nvidia.com/gpu\""
        }
        let domain = String(parts[0])
        let name = String(parts[1])
        if dns1123Subdomain(domain) != nil {
            return "\"\(s)\": the prefix \"\(domain)\" must be a DNS subdomain such as \"nvidia.com\""
        }
        if domain == "kubernetes.io" || domain.hasSuffix(".kubernetes.io") {
            return "\"\(s)\": the kubernetes.io domain is reserved for built-in resources"
        }
        if name.isEmpty || labelValue(name) != nil {
            return "\"\(s)\": the name after '/' must be alphanumerics, '-', '_' or '.'"
        }
        return nil
    }

    /// An HTTP header field name (RFC 9110 token).
    public static func headerName(_ s: String) -> String? {
        if s.isEmpty { return "must not be empty" }
        let allowed = Set("!#$%&'*+-.^_`|~")
        guard s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || allowed.contains($0)) }) else {
            return "\"\(s)\" is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~)"
        }
        return nil
    }
}
