import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT/SIGTERM into an async sequence so `athena serve` can stop its workers cleanly
/// instead of dying with them orphaned.
///
/// The signals are ignored at the process level (required for dispatch signal sources); the
/// workers get default dispositions back when spawned (see ``WorkerProcess``).
final class SignalWatcher: @unchecked Sendable { // sources: set in init, cancelled in deinit only
    /// Each caught signal number, in order.
    let signals: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init(_ numbers: [Int32] = [SIGINT, SIGTERM]) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        signals = stream
        var sources: [any DispatchSourceSignal] = []
        for number in numbers {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    deinit {
        sources.forEach { $0.cancel() }
    }
}
