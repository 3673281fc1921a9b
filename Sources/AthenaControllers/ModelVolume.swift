import AthenaAPI

/// How the engine gets its model package from `model.uri`:
/// - `pvc://claim/path` — the claim mounted read-only at `mountPath` (subPath = path);
/// - `http(s)://…` — an init container downloads and unpacks it into an emptyDir at `mountPath`;
/// - `/absolute/path` — already in the image: nothing mounted, only `ATHENA_MODEL_DIR` is set.
struct ModelVolume {
    var volume: JSONValue
    var mount: JSONValue
    var initContainer: JSONValue?
}

extension DeploymentBuilder {
    static func modelVolume(_ plan: VersionPlan, options: BuildOptions) throws(BuildError) -> ModelVolume? {
        guard let model = plan.spec.model, let mountPath = plan.modelMountPath else { return nil }
        let location: StoragePath.Location
        do {
            location = try StoragePath.parse(model.uri, allowHTTP: true)
        } catch {
            throw BuildError("AIApplication \(plan.applicationName): spec.model.uri: \(error.message)")
        }
        switch location {
        case .local:
            return nil
        case .pvc(let claim, let path):
            let subPath = path.split(separator: "/").joined(separator: "/")
            return ModelVolume(
                volume: ["name": "model", "persistentVolumeClaim": ["claimName": .string(claim), "readOnly": true]],
                mount: JSON.object([
                    ("name", "model"), ("mountPath", .string(mountPath)), ("readOnly", true),
                    ("subPath", subPath.isEmpty ? nil : .string(subPath)),
                ]),
                initContainer: nil
            )
        case .http(let url):
            // Download to the volume, then unpack (tar.gz, tar or zip); a plain file stays as is.
            let script = """
                set -e
                cd "$ATHENA_MODEL_DIR"
                wget -q -O .package "$ATHENA_MODEL_URI"
                if tar -xzf .package 2>/dev/null || tar -xf .package 2>/dev/null || unzip -oq .package 2>/dev/null; then rm -f .package; else mv .package "$(basename "$ATHENA_MODEL_URI")"; fi
                """
            let fetcher: JSONValue = [
                "name": "fetch-model",
                "image": .string(options.modelFetcherImage),
                "command": ["sh", "-c", .string(script)],
                "env": [
                    ["name": "ATHENA_MODEL_URI", "value": .string(url)],
                    ["name": "ATHENA_MODEL_DIR", "value": .string(mountPath)],
                ],
                "volumeMounts": [["name": "model", "mountPath": .string(mountPath)]],
                "securityContext": containerSecurity(readOnlyRoot: true),
            ]
            return ModelVolume(
                volume: ["name": "model", "emptyDir": [:]],
                mount: ["name": "model", "mountPath": .string(mountPath), "readOnly": true],
                initContainer: fetcher
            )
        }
    }
}
