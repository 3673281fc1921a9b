import AthenaAPI

/// Decides, before anything is built or written, whether an OnlineService may be deployed: its
/// spec validates (weights sum to 100, rules parse, ranges hold) and every referenced AIApplication
/// exists, is valid and allows online serving. A problem blocks only this service and is reported
/// with a precise reason and message; no child object is touched.
public enum ServicePrecheck {
    /// The problem that blocks `service`, or nil when it can be deployed with `applications`
    /// (the AIApplications of its namespace).
    public static func blocked(_ service: OnlineService, applications: [AIApplication]) -> ServiceObservation.Blocked? {
        let errors = service.validate()
        if let first = errors.first {
            return ServiceObservation.Blocked(reason: reason(for: first), message: errors.summary)
        }
        var problems: [(reason: String, message: String)] = []
        let namespace = service.metadata.namespace ?? "default"
        for (index, version) in service.spec.versions.enumerated() {
            let field = "spec.versions[\(index)].application"
            guard let app = applications.first(where: { $0.metadata.name == version.application }) else {
                problems.append((ConditionReason.applicationNotFound,
                                 "\(field): AIApplication \"\(version.application)\" not found in namespace \(namespace)"))
                continue
            }
            let appErrors = app.validate()
            if !appErrors.isEmpty {
                problems.append((ConditionReason.applicationFailed,
                                 "\(field): AIApplication \"\(version.application)\" is Failed: \(appErrors.summary)"))
            } else if let types = app.spec.deployTypes, !types.contains(.online) {
                problems.append((ConditionReason.applicationNotDeployable,
                                 "\(field): AIApplication \"\(version.application)\" does not allow online services (spec.deployTypes)"))
            }
        }
        guard let first = problems.first else { return nil }
        return ServiceObservation.Blocked(reason: first.reason, message: problems.map(\.message).joined(separator: "; "))
    }

    /// The condition reason for a spec error: the most specific one K3's vocabulary has.
    static func reason(for error: FieldError) -> String {
        if error.path.hasPrefix("spec.rules") { return ConditionReason.invalidRoutingRule }
        if error.path == "spec.versions" && error.message.contains("sum to 100") { return ConditionReason.invalidWeights }
        return ConditionReason.invalidSpec
    }
}
