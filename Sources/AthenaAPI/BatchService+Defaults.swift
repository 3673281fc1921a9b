// Defaulting of BatchService. `input.type` is inferred from the path, so only Swift fills it;
// `parallelism` matches the CRD's default.

extension BatchServiceSpec {
    /// Pods at once unless `parallelism` says otherwise.
    public static let defaultParallelism = 1

    /// The spec with every default filled in. Pure and idempotent.
    public func withDefaults() -> BatchServiceSpec {
        var spec = self
        spec.input.type = input.type ?? BatchInputType.inferred(from: input.path)
        spec.parallelism = parallelism ?? Self.defaultParallelism
        spec.resources = resources?.withDefaults()
        return spec
    }
}

extension BatchInputType {
    /// `.manifest` → manifest, `.csv` → csv, anything else a folder.
    public static func inferred(from path: String) -> BatchInputType {
        let lower = path.lowercased()
        if lower.hasSuffix(".manifest") { return .manifest }
        if lower.hasSuffix(".csv") { return .csv }
        return .folder
    }
}
