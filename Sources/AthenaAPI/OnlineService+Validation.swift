import KubeModel

extension OnlineService {
    /// Every problem with the object, defaults applied first. Empty means valid.
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if let name = metadata.name, let problem = NameRules.dns1035Label(name) {
            errors.append(FieldError(FieldPath("metadata").child("name"), "names a Service, so it \(problem)"))
        }
        errors += spec.validate(at: FieldPath("spec"))
        return errors
    }
}

extension OnlineServiceSpec {
    /// Every problem with the spec (defaults applied first), with paths under `path`: weights sum
    /// to 100, applications unique, rules parse and target a listed version, ranges hold.
    public func validate(at path: FieldPath = FieldPath("spec")) -> [FieldError] {
        let spec = withDefaults()
        var errors = spec.validateVersions(at: path.child("versions"))
        errors += spec.validateRules(at: path.child("rules"))
        check(spec.nodePort, in: FieldRange.nodePort, at: path.child("nodePort"), into: &errors)
        if let auth = spec.auth {
            let authPath = path.child("auth")
            if let ref = auth.secretRef {
                if let problem = NameRules.dns1123Subdomain(ref.name) {
                    errors.append(FieldError(authPath.child("secretRef").child("name"), problem))
                }
            } else if let mode = auth.mode, mode != .none {
                errors.append(.required(authPath.child("secretRef"), "is required when auth.mode is \(mode.rawValue)"))
            }
        }
        if let rateLimit = spec.rateLimit {
            check(rateLimit.qps, in: FieldRange.qps, at: path.child("rateLimit").child("qps"), into: &errors)
        }
        if let limits = spec.limits {
            check(limits.maxBodyBytes, in: FieldRange.maxBodyBytes, at: path.child("limits").child("maxBodyBytes"), into: &errors)
            check(limits.timeoutSeconds, in: FieldRange.requestTimeoutSeconds, at: path.child("limits").child("timeoutSeconds"), into: &errors)
        }
        if let autoStop = spec.autoStop {
            do {
                let seconds = try DurationText.parseSeconds(autoStop.after)
                if seconds < 1 {
                    errors.append(FieldError(path.child("autoStop").child("after"), "must be at least 1s (got \"\(autoStop.after)\")"))
                } else if seconds > AutoStopSpec.maxSeconds {
                    errors.append(FieldError(path.child("autoStop").child("after"), "must be at most 8760h, one year (got \"\(autoStop.after)\")"))
                }
            } catch {
                errors.append(FieldError(path.child("autoStop").child("after"), error.message))
            }
        }
        check(spec.deployTimeoutSeconds, in: FieldRange.deployTimeoutSeconds, at: path.child("deployTimeoutSeconds"), into: &errors)
        if let maxUnavailable = spec.maxUnavailable, let problem = Self.checkBudget(maxUnavailable) {
            errors.append(FieldError(path.child("maxUnavailable"), problem))
        }
        if let balancing = spec.loadBalancing {
            let header = balancing.hashHeader
            if balancing.policy == .consistentHash && (header ?? "").isEmpty {
                errors.append(.required(path.child("loadBalancing").child("hashHeader"), "is required for consistent-hash"))
            } else if let header, let problem = NameRules.headerName(header) {
                errors.append(FieldError(path.child("loadBalancing").child("hashHeader"), problem))
            }
        }
        return errors
    }

    private func validateVersions(at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        if versions.isEmpty {
            errors.append(.required(path, "must list at least one version"))
            return errors
        }
        var seen: Set<String> = []
        var weightsComplete = true
        for (i, version) in versions.enumerated() {
            let p = path.index(i)
            if version.application.isEmpty {
                errors.append(.required(p.child("application")))
            } else if let problem = NameRules.dns1123Subdomain(version.application) {
                errors.append(FieldError(p.child("application"), problem))
            } else if !seen.insert(version.application).inserted {
                errors.append(FieldError(
                    p.child("application"), "application \"\(version.application)\" is listed more than once",
                    code: .duplicate))
            }
            if version.weight == nil {
                weightsComplete = false
                errors.append(.required(p.child("weight"), "is required when there is more than one version"))
            } else if let weight = version.weight, !FieldRange.weight.contains(weight) {
                weightsComplete = false
                errors.append(FieldError(p.child("weight"), "must be between 0 and 100 (got \(weight))"))
            }
            check(version.replicas, in: FieldRange.replicas, at: p.child("replicas"), into: &errors)
            if let resources = version.resources { errors += resources.validate(at: p.child("resources")) }
            errors += EnvVar.validate(version.env, at: p.child("env"))
        }
        if weightsComplete {
            let sum = versions.reduce(0) { $0 + ($1.weight ?? 0) }
            if sum != 100 {
                let parts = versions.map { "\($0.application)=\($0.weight ?? 0)" }.joined(separator: ", ")
                errors.append(FieldError(path, "weights must sum to 100, but they sum to \(sum) (\(parts))"))
            }
        }
        return errors
    }

    private func validateRules(at path: FieldPath) -> [FieldError] {
        guard let rules else { return [] }
        var errors: [FieldError] = []
        let names = versions.map(\.application)
        for (i, rule) in rules.enumerated() {
            let p = path.index(i)
            do {
                _ = try RoutingRule(parsing: rule.expression)
            } catch {
                errors.append(FieldError(p.child("expression"), error.description))
            }
            if rule.version.isEmpty {
                errors.append(.required(p.child("version")))
            } else if !names.contains(rule.version) {
                errors.append(FieldError(
                    p.child("version"),
                    "\"\(rule.version)\" is not a version of this service; use one of spec.versions[].application: "
                        + names.map { "\"\($0)\"" }.joined(separator: ", "),
                    code: .notFound))
            }
            for name in (rule.headers ?? [:]).keys.sorted() {
                if let problem = NameRules.headerName(name) {
                    errors.append(FieldError(p.child("headers").key(name), problem))
                } else if let value = rule.headers?[name], value.utf8.contains(where: { $0 == 13 || $0 == 10 }) {
                    errors.append(FieldError(p.child("headers").key(name), "must not contain line breaks"))
                }
            }
        }
        return errors
    }

    /// A rolling-update budget: a non-negative integer or `0%`…`100%`.
    private static func checkBudget(_ value: IntOrString) -> String? {
        switch value {
        case .int(let n):
            return n < 0 ? "must not be negative (got \(n))" : nil
        case .string(let s):
            guard s.hasSuffix("%"), let n = Int(s.dropLast()), (0...100).contains(n) else {
                return "must be an integer or a percentage from \"0%\" to \"100%\" (got \"\(s)\")"
            }
            return nil
        }
    }
}
