/// A change of the cache, delivered to informer handlers in the order the cache saw it.
public enum InformerEvent<Object: Sendable>: Sendable {
    case added(Object)
    /// `old` is what the cache held before; on a relist it may be several versions behind.
    case updated(old: Object, new: Object)
    /// The last state the cache knew. After a relist this may be stale (the object's final
    /// state was never seen), like client-go's `DeletedFinalStateUnknown`.
    case deleted(Object)

    /// The object as it is now (or as it was last seen, for a delete).
    public var object: Object {
        switch self {
        case .added(let object), .deleted(let object): object
        case .updated(_, let new): new
        }
    }
}
