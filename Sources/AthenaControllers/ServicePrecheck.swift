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
        let namespace = service.metadata.namespace ?? "default"
        let problems = service.spec.versions.enumerated().compactMap { index, version in
            applicationProblem(version.application, field: "spec.versions[\(index)].application", namespace: namespace,
                               applications: applications, for: .online)
        }
        guard let first = problems.first else { return nil }
        return ServiceObservation.Blocked(reason: first.reason, message: problems.map(\.message).joined(separator: "; "))
    }

    /// Why the AIApplication `name`, named at `field`, cannot be used for a `deployType` service:
    /// missing, invalid, or not allowing that type; nil when it can. Shared with the BatchService status.
    static func applicationProblem(
        _ name: String, field: String, namespace: String, applications: [AIApplication], for deployType: DeployType
    ) -> (reason: String, message: String)? {
        guard let app = applications.first(where: { $0.metadata.name == name }) else {
            return (ConditionReason.applicationNotFound, "\(field): AIApplication \"\(name)\" not found in namespace \(namespace)")
        }
        let appErrors = app.validate()
        if !appErrors.isEmpty {
            return (ConditionReason.applicationFailed, "\(field): AIApplication \"\(name)\" is Failed: \(appErrors.summary)")
        }
        if let types = app.spec.deployTypes, !types.contains(deployType) {
            return (ConditionReason.applicationNotDeployable,
                    "\(field): AIApplication \"\(name)\" does not allow \(deployType.rawValue) services (spec.deployTypes)")
        }
        return nil
    }

    /// The condition reason for a spec error: the most specific one K3's vocabulary has.
    static func reason(for error: FieldError) -> String {
        if error.path.hasPrefix("spec.rules") { return ConditionReason.invalidRoutingRule }
        if error.path == "spec.versions" && error.message.contains("sum to 100") { return ConditionReason.invalidWeights }
        return ConditionReason.invalidSpec
    }
}
