import Foundation

/// Thrown when a condition polled by `eventually` did not hold before its deadline.
struct TimedOut: Error, CustomStringConvertible {
    var description: String
}

/// Polls `check` every `interval` until it returns true or `timeout` passes (then throws
/// `TimedOut` naming `what` and the last `detail`). Bounded in time and in count.
func eventually(
    _ what: String, timeout: Duration = .seconds(30), interval: Duration = .milliseconds(100),
    detail: () -> String = { "" }, _ check: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let start = clock.now
    let deadline = start + timeout
    let maxAttempts = Int(timeout / interval) + 2
    var attempts = 0
    while attempts < maxAttempts {
        attempts += 1
        if try await check() { return }
        if clock.now >= deadline { break }
        try await Task.sleep(for: interval)
    }
    throw TimedOut(description: "timed out after \(start.duration(to: clock.now)) waiting for: \(what). \(detail())")
}
