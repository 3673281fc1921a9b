/// One event of a watch stream, as the API server sends it: `{"type": ..., "object": ...}`.
public enum WatchEvent<Object: Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// Carries only the latest resourceVersion (in the object's metadata).
    case bookmark(resourceVersion: String)
    /// The server ended the watch with a `Status`; a 410 `Gone` means "relist".
    case error(Status)
}

extension WatchEvent: Equatable where Object: Equatable {}
