/// Brings one object's world in line with its spec. Called with a key, never an object, so it
/// reads the latest state from the cache; it must be idempotent (running it twice changes
/// nothing and writes nothing).
public protocol Reconciler: Sendable {
    /// - Returns: `.done`, or `.requeue(after:)` to look again later (e.g. waiting for a rollout).
    /// - Throws: ``TerminalError`` when retrying cannot help (the key is dropped until its objects
    ///   change); any other error retries the key with exponential backoff.
    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult
}

/// What a reconcile asks the controller to do next.
public enum ReconcileResult: Sendable, Hashable {
    /// Converged; run again only when a watched object changes.
    case done
    /// Run again after `after`, even if nothing changes (timeouts, polling external state).
    case requeue(after: Duration)
}

/// A failure retrying will not fix (an invalid spec, a missing reference the user must create).
/// The controller logs and counts it but does not back off and retry.
public struct TerminalError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var underlying: (any Error)?

    public init(_ message: String, underlying: (any Error)? = nil) {
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        underlying.map { "\(message): \($0)" } ?? message
    }
}

/// A reconciler from a closure, for tests and small built-in controllers.
public struct ClosureReconciler: Reconciler {
    private let body: @Sendable (ObjectKey) async throws -> ReconcileResult

    public init(_ body: @escaping @Sendable (ObjectKey) async throws -> ReconcileResult) {
        self.body = body
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        try await body(key)
    }
}
