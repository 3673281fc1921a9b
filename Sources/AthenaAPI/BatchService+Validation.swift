import KubeModel

extension BatchService {
    /// Every problem with the object, defaults applied first. Empty means valid.
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if let name = metadata.name, let problem = NameRules.dns1123Label(name) {
            errors.append(FieldError(FieldPath("metadata").child("name"), "names a Job, so it \(problem)"))
        }
        errors += spec.validate(at: FieldPath("spec"))
        return errors
    }
}

extension BatchServiceSpec {
    /// Every problem with the spec (defaults applied first), with paths under `path`.
    public func validate(at path: FieldPath = FieldPath("spec")) -> [FieldError] {
        let spec = withDefaults()
        var errors: [FieldError] = []
        if spec.application.isEmpty {
            errors.append(.required(path.child("application")))
        } else if let problem = NameRules.dns1123Subdomain(spec.application) {
            errors.append(FieldError(path.child("application"), problem))
        }
        let inputPath = path.child("input")
        var inputLocation: StoragePath.Location?
        do {
            inputLocation = try StoragePath.parse(spec.input.path, allowHTTP: false)
        } catch {
            errors.append(FieldError(inputPath.child("path"), error.message))
        }
        let lower = spec.input.path.lowercased()
        switch spec.input.type {
        case .manifest where !lower.hasSuffix(".manifest"):
            errors.append(FieldError(inputPath.child("path"), "a manifest input must be a .manifest file (got \"\(spec.input.path)\")"))
        case .csv where !lower.hasSuffix(".csv"):
            errors.append(FieldError(inputPath.child("path"), "a csv input must be a .csv file (got \"\(spec.input.path)\")"))
        default: break
        }
        if let mapping = spec.input.mapping {
            if spec.input.type != .csv {
                errors.append(FieldError(inputPath.child("mapping"), "is only used with type csv (type is \(spec.input.type?.rawValue ?? "folder"))"))
            }
            for field in mapping.keys.sorted() {
                let p = inputPath.child("mapping").key(field)
                if field.isEmpty { errors.append(FieldError(p, "field names must not be empty")) }
                switch mapping[field] {
                case .int(let column) where column < 0:
                    errors.append(FieldError(p, "column index must not be negative (got \(column))"))
                case .string(let column) where column.isEmpty:
                    errors.append(FieldError(p, "column name must not be empty"))
                default: break
                }
            }
        }
        do {
            let outputLocation = try StoragePath.parse(spec.output.path, allowHTTP: false)
            if let inputLocation, outputLocation == inputLocation {
                errors.append(FieldError(path.child("output").child("path"), "must differ from spec.input.path"))
            }
        } catch {
            errors.append(FieldError(path.child("output").child("path"), error.message))
        }
        check(spec.parallelism, in: FieldRange.parallelism, at: path.child("parallelism"), into: &errors)
        check(spec.timeoutSeconds, in: FieldRange.batchTimeoutSeconds, at: path.child("timeoutSeconds"), into: &errors)
        if let resources = spec.resources { errors += resources.validate(at: path.child("resources")) }
        errors += EnvVar.validate(spec.env, at: path.child("env"))
        return errors
    }
}
