import Dispatch
import Foundation

/// Waits for the first of some Unix signals (the default handlers are replaced so the process
/// can shut the server down cleanly instead of dying).
final class SignalWaiter {
    private let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        self.sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    func wait() async -> Int32 {
        defer { withExtendedLifetime(sources) {} }
        for await number in stream { return number }
        return 0
    }
}
