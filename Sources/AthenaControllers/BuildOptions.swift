import AthenaAPI
import Foundation

/// Operator-wide settings the builders need besides the custom resources themselves: which gateway
/// sidecar to inject and how to fetch model packages. Kept separate from the specs so the same
/// OnlineService renders the same objects everywhere the options are equal (tests, `athena render`).
public struct BuildOptions: Sendable, Hashable {
    public static let defaultGatewayImage = "athena-serving/athena-gateway:0.1.0"
    public static let defaultModelFetcherImage = "busybox:1.36"
    public static let defaultEngineImage = "athena-serving/athena-engine:0.1.0"

    /// Image of the gateway sidecar injected into every engine pod.
    public var gatewayImage: String
    /// `imagePullPolicy` of the sidecar; nil leaves Kubernetes' default.
    public var gatewayPullPolicy: String?
    /// `resources` of the sidecar container (requests/limits), as the Kubernetes JSON object.
    public var gatewayResources: JSONValue?
    /// Engine image for applications that give only a model package (no `runtime.image`):
    /// the Athena Python SDK runtime that loads `wrapper.py` / `customize_service.py` from it.
    public var engineImage: String
    /// Image of the init container that downloads `model.uri` when it is an http(s) URL.
    public var modelFetcherImage: String
    /// Cluster DNS suffix used in the routing table's endpoint names.
    public var clusterDomain: String

    public init(
        gatewayImage: String = BuildOptions.defaultGatewayImage, gatewayPullPolicy: String? = nil,
        gatewayResources: JSONValue? = nil, engineImage: String = BuildOptions.defaultEngineImage,
        modelFetcherImage: String = BuildOptions.defaultModelFetcherImage,
        clusterDomain: String = "cluster.local"
    ) {
        self.gatewayImage = gatewayImage
        self.gatewayPullPolicy = gatewayPullPolicy
        self.gatewayResources = gatewayResources
        self.engineImage = engineImage
        self.modelFetcherImage = modelFetcherImage
        self.clusterDomain = clusterDomain
    }

    /// Reads the settings the Helm chart gives the operator pod: `ATHENA_GATEWAY_IMAGE`,
    /// `ATHENA_GATEWAY_IMAGE_PULL_POLICY`, `ATHENA_GATEWAY_RESOURCES` (JSON), `ATHENA_ENGINE_IMAGE`, `ATHENA_MODEL_FETCHER_IMAGE`,
    /// `ATHENA_CLUSTER_DOMAIN`. A malformed `ATHENA_GATEWAY_RESOURCES` is an error, not silently ignored.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(BuildError) -> BuildOptions {
        var options = BuildOptions()
        if let image = environment["ATHENA_GATEWAY_IMAGE"], !image.isEmpty { options.gatewayImage = image }
        if let policy = environment["ATHENA_GATEWAY_IMAGE_PULL_POLICY"], !policy.isEmpty {
            options.gatewayPullPolicy = policy
        }
        if let text = environment["ATHENA_GATEWAY_RESOURCES"], !text.isEmpty {
            guard let value = try? JSONValue.parse(Data(text.utf8)), value.objectValue != nil else {
                throw BuildError("ATHENA_GATEWAY_RESOURCES: expected a JSON object like {\"requests\":{\"cpu\":\"100m\"}}, got \(text)")
            }
            options.gatewayResources = value
        }
        if let image = environment["ATHENA_ENGINE_IMAGE"], !image.isEmpty { options.engineImage = image }
        if let image = environment["ATHENA_MODEL_FETCHER_IMAGE"], !image.isEmpty { options.modelFetcherImage = image }
        if let domain = environment["ATHENA_CLUSTER_DOMAIN"], !domain.isEmpty { options.clusterDomain = domain }
        return options
    }
}

/// Why desired objects could not be built (an application is missing, a model location is unusable...).
/// The message is written for the user: it lands in a status condition.
public struct BuildError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
