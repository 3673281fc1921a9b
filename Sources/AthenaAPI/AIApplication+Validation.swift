import KubeModel

extension AIApplication {
    /// Every problem with the object, defaults applied first. Empty means valid.
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if let name = metadata.name, let problem = NameRules.dns1123Subdomain(name) {
            errors.append(FieldError(FieldPath("metadata").child("name"), problem))
        }
        errors += spec.validate(at: FieldPath("spec"))
        return errors
    }
}

extension AIApplicationSpec {
    /// Every problem with the spec (defaults applied first), with paths under `path`.
    public func validate(at path: FieldPath = FieldPath("spec")) -> [FieldError] {
        let spec = withDefaults()
        var errors: [FieldError] = []
        if spec.version.isEmpty {
            errors.append(.required(path.child("version")))
        } else if let problem = NameRules.labelValue(spec.version) {
            errors.append(FieldError(path.child("version"), "becomes a label value, so it \(problem)"))
        }
        if let description = spec.description, description.count > 2048 {
            errors.append(FieldError(path.child("description"), "must be no more than 2048 characters", code: .tooLong))
        }
        errors += spec.validateRuntime(at: path)
        if let apis = spec.apis { errors += Self.validate(apis: apis, at: path.child("apis")) }
        if let health = spec.health {
            for (name, probe) in [("startup", health.startup), ("readiness", health.readiness), ("liveness", health.liveness)] {
                if let probe { errors += probe.validate(at: path.child("health").child(name)) }
            }
        }
        if let resources = spec.resources { errors += resources.validate(at: path.child("resources")) }
        if let metrics = spec.metrics {
            for (name, value) in [("accuracy", metrics.accuracy), ("precision", metrics.precision),
                ("recall", metrics.recall), ("f1", metrics.f1)]
            {
                if let value, !FieldRange.metric.contains(value) {
                    errors.append(FieldError(path.child("metrics").child(name), "must be between 0 and 1 (got \(value))"))
                }
            }
        }
        if let types = spec.deployTypes {
            if types.isEmpty {
                errors.append(FieldError(path.child("deployTypes"), "must list at least one of online, batch", code: .required))
            }
            if Set(types).count != types.count {
                errors.append(FieldError(path.child("deployTypes"), "must not repeat a type", code: .duplicate))
            }
        }
        return errors
    }

    private func validateRuntime(at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let runtimePath = path.child("runtime")
        let image = runtime?.image ?? ""
        if image.isEmpty && model == nil {
            errors.append(.required(
                runtimePath.child("image"), "is required unless spec.model.uri gives a model package to serve"))
        } else if image.contains(where: { $0.isWhitespace }) {
            errors.append(FieldError(runtimePath.child("image"), "\"\(image)\" must not contain whitespace"))
        }
        if let runtime {
            check(runtime.port, in: FieldRange.port, at: runtimePath.child("port"), into: &errors)
            if let batching = runtime.batching {
                let batchingPath = runtimePath.child("batching")
                check(batching.maxBatchSize, in: BatchingSpec.batchSizeRange, at: batchingPath.child("maxBatchSize"), into: &errors)
                check(batching.maxCallsInFlight, in: BatchingSpec.callsInFlightRange, at: batchingPath.child("maxCallsInFlight"), into: &errors)
                check(batching.maxDelayMicroseconds, in: BatchingSpec.delayMicrosecondsRange, at: batchingPath.child("maxDelayMicroseconds"), into: &errors)
                if (runtime.protocol ?? .grpc) == .http {
                    errors.append(FieldError(batchingPath, "applies to grpc engines only (a plain HTTP engine gets one request per call)"))
                }
            }
            errors += EnvVar.validate(runtime.env, at: runtimePath.child("env"))
            if let command = runtime.command, command.isEmpty {
                errors.append(FieldError(runtimePath.child("command"), "must not be empty; omit it to use the image's entrypoint"))
            }
        }
        if let model {
            let modelPath = path.child("model")
            do {
                _ = try StoragePath.parse(model.uri, allowHTTP: true)
            } catch {
                errors.append(FieldError(modelPath.child("uri"), error.message))
            }
            if let mount = model.mountPath {
                if !mount.hasPrefix("/") || mount == "/" {
                    errors.append(FieldError(modelPath.child("mountPath"), "must be an absolute path other than / (got \"\(mount)\")"))
                } else if mount.contains(":") || mount.split(separator: "/").contains("..") {
                    errors.append(FieldError(modelPath.child("mountPath"), "must not contain ':' or '..'"))
                }
            }
        }
        return errors
    }

    private static func validate(apis: [ModelAPI], at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        var seen: Set<String> = []
        for (i, api) in apis.enumerated() {
            let p = path.index(i)
            let url = api.url ?? ModelAPI.defaultURL
            let method = (api.method ?? ModelAPI.defaultMethod).uppercased()
            if !url.hasPrefix("/") || url.contains(where: { $0.isWhitespace }) {
                errors.append(FieldError(p.child("url"), "must be a path starting with '/' without spaces (got \"\(url)\")"))
            }
            if !ModelAPI.methods.contains(method) {
                errors.append(.notSupported(p.child("method"), api.method ?? "", supported: ModelAPI.methods))
            }
            if let proto = api.protocol, !["http", "https"].contains(proto.lowercased()) {
                errors.append(.notSupported(p.child("protocol"), proto, supported: ["http", "https"]))
            }
            if !seen.insert("\(method) \(url)").inserted {
                errors.append(FieldError(p, "duplicate API \(method) \(url)", code: .duplicate))
            }
            for (name, message) in [("request", api.request), ("response", api.response)] {
                guard let message else { continue }
                let mp = p.child(name)
                if let type = message.contentType, !ModelAPIMessage.contentTypes.contains(type.lowercased()) {
                    errors.append(.notSupported(mp.child("Content-type"), type, supported: ModelAPIMessage.contentTypes))
                }
                if let data = message.data { errors += JSONSchemaLint.check(data, at: mp.child("data")) }
            }
        }
        return errors
    }
}
