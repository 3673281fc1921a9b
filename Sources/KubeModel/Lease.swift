/// A `coordination.k8s.io/v1` Lease: the lock of leader election. Whoever holds
/// `spec.holderIdentity` and keeps renewing `renewTime` within `leaseDurationSeconds` leads.
public struct Lease: KubeObject, Hashable {
    public static let resource = GroupVersionResource(group: "coordination.k8s.io", version: "v1", resource: "leases")
    public static let kind = "Lease"

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: LeaseSpec?

    public init(metadata: ObjectMeta, spec: LeaseSpec? = nil) {
        self.apiVersion = Self.resource.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
    }
}

/// The holder and timing of a `Lease`. Times are `MicroTime` strings (see `KubeTime`).
public struct LeaseSpec: Codable, Sendable, Hashable {
    public var holderIdentity: String?
    public var leaseDurationSeconds: Int?
    public var acquireTime: String?
    public var renewTime: String?
    public var leaseTransitions: Int?

    public init(
        holderIdentity: String? = nil, leaseDurationSeconds: Int? = nil, acquireTime: String? = nil,
        renewTime: String? = nil, leaseTransitions: Int? = nil
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }
}
