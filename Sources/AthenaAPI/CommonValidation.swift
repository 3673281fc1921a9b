// Validation of the building blocks shared by the three kinds: environment, resources, probes.

// MARK: - Ranges

/// The accepted ranges of numeric fields, shared by the Swift validation, the CRD schemas (a
/// test checks they agree) and the API reference.
public enum FieldRange {
    /// A TCP port.
    public static let port = 1...65535
    /// The Kubernetes NodePort range.
    public static let nodePort = 30000...32767
    /// A version's traffic share, percent.
    public static let weight = 0...100
    /// Engine replicas of one version.
    public static let replicas = 0...1000
    /// GPUs per replica.
    public static let gpuCount = 0...64
    /// Probe start delay.
    public static let initialDelaySeconds = 0...3600
    /// Probe period.
    public static let periodSeconds = 1...3600
    /// Probe timeout.
    public static let probeTimeoutSeconds = 1...3600
    /// Probe failures before acting.
    public static let failureThreshold = 1...1000
    /// Requests per second per gateway.
    public static let qps = 1...1_000_000
    /// Largest request body (up to 1 GiB).
    public static let maxBodyBytes = 1...1_073_741_824
    /// Engine call timeout.
    public static let requestTimeoutSeconds = 1...3600
    /// Deploy timeout (up to a day).
    public static let deployTimeoutSeconds = 1...86400
    /// Batch pods at once.
    public static let parallelism = 1...1000
    /// Batch deadline (up to a week).
    public static let batchTimeoutSeconds = 1...604_800
    /// Model quality metrics.
    public static let metric = 0.0...1.0
}

func check(_ value: Int?, in range: ClosedRange<Int>, at path: FieldPath, into errors: inout [FieldError]) {
    guard let value, !range.contains(value) else { return }
    errors.append(FieldError(path, "must be between \(range.lowerBound) and \(range.upperBound) (got \(value))"))
}

// MARK: - Environment

extension EnvVar {
    /// Checks names are present and unique and each variable has one source.
    static func validate(_ env: [EnvVar]?, at path: FieldPath) -> [FieldError] {
        guard let env else { return [] }
        var errors: [FieldError] = []
        var seen: Set<String> = []
        for (i, variable) in env.enumerated() {
            let p = path.index(i)
            if variable.name.isEmpty {
                errors.append(.required(p.child("name")))
            } else if variable.name.contains("=") {
                errors.append(FieldError(p.child("name"), "\"\(variable.name)\" must not contain '='"))
            } else if !seen.insert(variable.name).inserted {
                errors.append(FieldError(p.child("name"), "duplicate variable \"\(variable.name)\"", code: .duplicate))
            }
            if let source = variable.valueFrom {
                if variable.value != nil {
                    errors.append(FieldError(p.child("valueFrom"), "may not be set together with value"))
                }
                let count = [source.secretKeyRef != nil, source.configMapKeyRef != nil, source.fieldRef != nil]
                    .filter { $0 }.count
                if count != 1 {
                    errors.append(FieldError(
                        p.child("valueFrom"), "exactly one of secretKeyRef, configMapKeyRef, fieldRef must be set"))
                }
                for (name, ref) in [("secretKeyRef", source.secretKeyRef), ("configMapKeyRef", source.configMapKeyRef)] {
                    guard let ref else { continue }
                    if let problem = NameRules.dns1123Subdomain(ref.name) {
                        errors.append(FieldError(p.child("valueFrom").child(name).child("name"), problem))
                    }
                    if ref.key.isEmpty { errors.append(.required(p.child("valueFrom").child(name).child("key"))) }
                }
                if let field = source.fieldRef, field.fieldPath.isEmpty {
                    errors.append(.required(p.child("valueFrom").child("fieldRef").child("fieldPath")))
                }
            }
        }
        return errors
    }
}

// MARK: - Resources

extension ResourceSpec {
    /// Checks quantities parse and are positive, and the GPU request is sane.
    func validate(at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        for (name, quantity) in [("cpu", cpu), ("memory", memory)] {
            guard let quantity else { continue }
            guard let value = quantity.value else {
                errors.append(FieldError(
                    path.child(name),
                    "\"\(quantity.text)\" is not a quantity; write e.g. \(name == "cpu" ? "\"500m\" or \"2\"" : "\"512Mi\" or \"4Gi\"")"))
                continue
            }
            if value <= 0 { errors.append(FieldError(path.child(name), "must be greater than zero (got \(quantity.text))")) }
        }
        if let gpu { errors += gpu.validate(at: path.child("gpu")) }
        return errors
    }
}

extension GPUSpec {
    func validate(at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        check(count, in: FieldRange.gpuCount, at: path.child("count"), into: &errors)
        if let resourceName, let problem = NameRules.extendedResourceName(resourceName) {
            errors.append(FieldError(path.child("resourceName"), problem))
        }
        if let product {
            if product.isEmpty {
                errors.append(FieldError(path.child("product"), "must not be empty; omit it to accept any GPU"))
            } else if let problem = NameRules.labelValue(product) {
                errors.append(FieldError(path.child("product"), "is matched against a node label, so it \(problem)"))
            }
        }
        return errors
    }
}

// MARK: - Probes

extension Probe {
    /// Checks exactly one handler is set and the timings are in range.
    func validate(at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let handlers = [httpGet != nil, grpc != nil, exec != nil].filter { $0 }.count
        if handlers != 1 {
            errors.append(FieldError(
                path, "exactly one of httpGet, grpc, exec must be set (found \(handlers))",
                code: handlers == 0 ? .required : .invalid))
        }
        if let httpGet {
            if !httpGet.path.hasPrefix("/") {
                errors.append(FieldError(path.child("httpGet").child("path"), "must start with '/' (got \"\(httpGet.path)\")"))
            }
            check(httpGet.port, in: FieldRange.port, at: path.child("httpGet").child("port"), into: &errors)
        }
        if let grpc { check(grpc.port, in: FieldRange.port, at: path.child("grpc").child("port"), into: &errors) }
        if let exec, exec.command.isEmpty || exec.command.allSatisfy(\.isEmpty) {
            errors.append(.required(path.child("exec").child("command"), "must name a command to run"))
        }
        check(initialDelaySeconds, in: FieldRange.initialDelaySeconds, at: path.child("initialDelaySeconds"), into: &errors)
        check(periodSeconds, in: FieldRange.periodSeconds, at: path.child("periodSeconds"), into: &errors)
        check(timeoutSeconds, in: FieldRange.probeTimeoutSeconds, at: path.child("timeoutSeconds"), into: &errors)
        check(failureThreshold, in: FieldRange.failureThreshold, at: path.child("failureThreshold"), into: &errors)
        return errors
    }
}
