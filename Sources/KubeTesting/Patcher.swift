import KubeModel

/// Applies a PATCH body by its content type, with the real server's refusals (415 for a
/// strategic merge patch of a custom resource or an unknown type).
enum Patcher {
    static func apply(_ patch: JSONValue, contentType: String, to existing: JSONValue, type: ResourceType) throws(Status)
        -> JSONValue
    {
        switch contentType {
        case "application/merge-patch+json", "application/apply-patch+yaml":
            guard case .object = patch else { throw APIErrors.badRequest("a merge patch must be a JSON object") }
            return existing.applyingMergePatch(patch)
        case "application/strategic-merge-patch+json":
            guard type.builtin else { throw APIErrors.unsupportedMediaType(contentType) }
            guard case .object = patch else { throw APIErrors.badRequest("a strategic merge patch must be a JSON object") }
            return StrategicMergePatch.apply(existing, patch)
        case "application/json-patch+json":
            do {
                return try JSONPatch.apply(existing, patch)
            } catch {
                throw Status(
                    code: 422, reason: "Invalid",
                    message: "the server rejected our request due to an error in our request: \(error.message)")
            }
        default:
            throw APIErrors.unsupportedMediaType(contentType)
        }
    }
}
