/// Compute resources of one engine replica. `cpu` and `memory` become both the request and the
/// limit (a predictable inference pod); `gpu` becomes an extended-resource limit.
public struct ResourceSpec: Codable, Sendable, Hashable {
    /// Cores, e.g. `500m` or `2`.
    public var cpu: Quantity?
    /// Bytes, e.g. `512Mi` or `4Gi`.
    public var memory: Quantity?
    /// GPUs per replica.
    public var gpu: GPUSpec?

    public init(cpu: Quantity? = nil, memory: Quantity? = nil, gpu: GPUSpec? = nil) {
        self.cpu = cpu
        self.memory = memory
        self.gpu = gpu
    }

    /// `override`'s fields where set, else this one's: a service version's resources refine its
    /// application's.
    public func overridden(by override: ResourceSpec?) -> ResourceSpec {
        guard let override else { return self }
        return ResourceSpec(cpu: override.cpu ?? cpu, memory: override.memory ?? memory, gpu: override.gpu ?? gpu)
    }
}

/// GPUs of one replica.
public struct GPUSpec: Codable, Sendable, Hashable {
    /// Whole devices per replica; 0 means none.
    public var count: Int?
    /// The extended resource to request, `nvidia.com/gpu` by default (e.g. `amd.com/gpu`).
    public var resourceName: String?
    /// A GPU model to schedule on, matched against the node label `nvidia.com/gpu.product`
    /// (e.g. `NVIDIA-A100-SXM4-40GB`).
    public var product: String?

    /// The default `resourceName`.
    public static let defaultResourceName = "nvidia.com/gpu"
    /// The node label a `product` is matched against.
    public static let productNodeLabel = "nvidia.com/gpu.product"

    public init(count: Int? = nil, resourceName: String? = nil, product: String? = nil) {
        self.count = count
        self.resourceName = resourceName
        self.product = product
    }
}
