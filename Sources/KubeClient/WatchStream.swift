import KubeModel

/// The events of one watch connection, in order. Ends when the server closes the stream;
/// throws `KubeError` on a transport failure or an undecodable line.
public struct WatchStream<T: Sendable>: AsyncSequence, Sendable {
    public typealias Element = WatchEvent<T>
    public typealias Base = AsyncThrowingStream<WatchEvent<T>, any Error>

    private let base: Base

    public init(_ base: Base) { self.base = base }

    public func makeAsyncIterator() -> Base.AsyncIterator { base.makeAsyncIterator() }
}
