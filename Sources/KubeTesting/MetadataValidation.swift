import Foundation
import KubeModel

/// Checks of `metadata` every kind shares, worded like the real server's validation.
enum MetadataValidation {
    static let subdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
        + "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation "
        + "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let labelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
        + "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"

    static func causes(object: JSONValue, name: String, type: ResourceType) -> [StatusCause] {
        var causes: [StatusCause] = []
        let isNamespace = type.storageKey == BuiltinResources.namespace.storageKey
        if isNamespace ? !isDNSLabel(name) : !isDNSSubdomain(name) {
            causes.append(
                APIErrors.cause(
                    .invalid, field: "metadata.name",
                    "Invalid value: \"\(name)\": \(isNamespace ? labelMessage : subdomainMessage)"))
        }
        let metadata = object["metadata"] ?? [:]
        for field in ["labels", "annotations"] {
            guard let value = metadata[field], !value.isNull else { continue }
            guard let map = value.objectValue, map.values.allSatisfy({ $0.stringValue != nil }) else {
                causes.append(
                    APIErrors.cause(.typeInvalid, field: "metadata.\(field)", "Invalid value: must be a map of strings"))
                continue
            }
            if field == "labels" {
                for (key, value) in map.sorted(by: { $0.key < $1.key }) {
                    let text = value.stringValue ?? ""
                    if text.count > 63 || !text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
                        causes.append(
                            APIErrors.cause(
                                .invalid, field: "metadata.labels",
                                "Invalid value: \"\(text)\": a valid label must be an empty string or consist of "
                                    + "alphanumeric characters, '-', '_' or '.' (at most 63 characters)"))
                    }
                    if key.isEmpty || key.count > 317 {
                        causes.append(APIErrors.cause(.invalid, field: "metadata.labels", "Invalid value: \"\(key)\": invalid label key"))
                    }
                }
            }
        }
        if let finalizers = metadata["finalizers"], !finalizers.isNull,
            !(finalizers.arrayValue?.allSatisfy({ $0.stringValue != nil }) ?? false)
        {
            causes.append(
                APIErrors.cause(.typeInvalid, field: "metadata.finalizers", "Invalid value: must be a list of strings"))
        }
        if let refs = metadata["ownerReferences"], !refs.isNull {
            for (index, ref) in (refs.arrayValue ?? [.null]).enumerated() {
                for field in ["apiVersion", "kind", "name", "uid"] where (ref[field]?.stringValue ?? "").isEmpty {
                    causes.append(
                        APIErrors.cause(.required, field: "metadata.ownerReferences[\(index)].\(field)", "Required value"))
                }
            }
        }
        return causes
    }

    static func isDNSLabel(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 63 else { return false }
        let chars = Array(text)
        guard let first = chars.first, let last = chars.last, isLowerAlnum(first), isLowerAlnum(last) else {
            return false
        }
        return chars.allSatisfy { isLowerAlnum($0) || $0 == "-" }
    }

    static func isDNSSubdomain(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            let chars = Array(part)
            guard let first = chars.first, let last = chars.last, isLowerAlnum(first), isLowerAlnum(last) else {
                return false
            }
            return chars.allSatisfy { isLowerAlnum($0) || $0 == "-" }
        }
    }

    private static func isLowerAlnum(_ c: Character) -> Bool {
        c.isASCII && (c.isNumber || (c.isLetter && c.isLowercase))
    }
}
