import Foundation
public import KubeClient
public import KubeModel
public import Logging
import Synchronization

/// Records core/v1 Events about objects (what `kubectl describe` shows), counting repeats.
///
/// The same event (same object, type, reason and message) is one Event object whose `count` and
/// `lastTimestamp` are bumped with a merge patch, not a new object per occurrence. Names are
/// deterministic (`<object>.<hash>`), so even a restarted operator, which has lost its memory of
/// counts, finds the existing Event through `AlreadyExists` and keeps counting.
///
/// Events are best effort: a failure is logged and returned as `nil`, never thrown into a
/// reconcile. Two replicas bumping the same Event at the same instant may lose one increment.
public final class EventRecorder: Sendable {
    /// `Normal` for progress, `Warning` for anything a human should look at.
    public enum EventType: String, Sendable {
        case normal = "Normal"
        case warning = "Warning"
    }

    private struct Seen {
        var name: String
        var namespace: String
        var count: Int
        var firstTimestamp: String?
    }

    private let api: any KubeAPI
    private let component: String
    private let host: String?
    private let logger: Logger
    private let seen = Mutex<[String: Seen]>([:])
    /// Bounds memory: past this many distinct events the memory is dropped (the server still counts).
    private let memoryLimit = 4096

    /// - Parameter component: `source.component` / `reportingComponent`, e.g. `athena-operator`.
    public init(
        api: any KubeAPI, component: String, host: String? = nil,
        logger: Logger = Logger(label: "athena.events")
    ) {
        self.api = api
        self.component = component
        self.host = host
        self.logger = logger
    }

    /// Records an event about `object`; returns the Event as written, or `nil` if it failed.
    @discardableResult
    public func record<T: KubeObject>(
        _ type: EventType, for object: T, reason: String, message: String
    ) async -> Event? {
        let involved = ObjectReference(for: object)
        do {
            return try await write(type, involved: involved, reason: reason, message: message)
        } catch {
            logger.warning("could not record event \(reason) for \(involved.kind ?? "")/\(involved.name ?? ""): \(error)")
            return nil
        }
    }

    // MARK: - Writing

    private func write(_ type: EventType, involved: ObjectReference, reason: String, message: String) async throws -> Event {
        let identity = Self.identity(type, involved, reason, message)
        let now = KubeTime.time(Date())
        let namespace = involved.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let name = "\(involved.name ?? "object").\(Self.fnv1a(identity))"

        if let known = seen.withLock({ $0[identity] }) {
            do {
                return try await bump(known, to: known.count + 1, now: now, identity: identity)
            } catch let error as KubeError where error.isNotFound {
                // Deleted (events expire): start over below.
                _ = seen.withLock { $0.removeValue(forKey: identity) }
            }
        }
        var event = Event(
            metadata: ObjectMeta(name: name, namespace: namespace), involvedObject: involved, reason: reason,
            message: message, type: type.rawValue, count: 1, firstTimestamp: now, lastTimestamp: now,
            source: EventSource(component: component, host: host))
        event.reportingComponent = component
        event.reportingInstance = host
        do {
            let created = try await api.create(event)
            remember(identity, Seen(name: name, namespace: namespace, count: 1, firstTimestamp: now))
            return created
        } catch let error as KubeError where error.isAlreadyExists {
            // Recorded before this process knew it: continue the server's count.
            let existing = try await api.get(Event.self, namespace: namespace, name: name)
            let known = Seen(name: name, namespace: namespace, count: existing.count ?? 1, firstTimestamp: existing.firstTimestamp)
            return try await bump(known, to: known.count + 1, now: now, identity: identity)
        }
    }

    private func bump(_ known: Seen, to count: Int, now: String, identity: String) async throws -> Event {
        let patch: JSONValue = ["count": .number(Double(count)), "lastTimestamp": .string(now)]
        let updated = try await api.patch(
            Event.self, namespace: known.namespace, name: known.name, mergePatch: patch, subresource: nil)
        var remembered = known
        remembered.count = updated.count ?? count
        remember(identity, remembered)
        return updated
    }

    private func remember(_ identity: String, _ value: Seen) {
        seen.withLock { seen in
            if seen.count >= memoryLimit, seen[identity] == nil { seen.removeAll() }
            seen[identity] = value
        }
    }

    // MARK: - Identity

    /// What makes two events "the same" (client-go's event aggregation key, minus the source).
    static func identity(_ type: EventType, _ ref: ObjectReference, _ reason: String, _ message: String) -> String {
        [ref.apiVersion, ref.kind, ref.namespace, ref.name, ref.uid, type.rawValue, reason, message]
            .map { $0 ?? "" }.joined(separator: "\u{1F}")
    }

    /// A stable 64-bit FNV-1a hash in hex (Swift's `Hasher` is seeded per process).
    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
