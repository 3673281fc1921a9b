import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps N engine worker processes alive on fixed ports: starts them, restarts one that dies
/// (exponential backoff, at most ``Policy/maxRestarts`` within ``Policy/window``), stops them all.
///
/// Workers keep their port across restarts, so the gateway's routing table never changes: while a
/// worker is down the gateway's passive health ejects it and requests go to the others.
actor WorkerSupervisor {
    /// Restart limits.
    struct Policy: Sendable {
        var initialBackoff: Duration = .milliseconds(250)
        var maxBackoff: Duration = .seconds(8)
        /// A worker that stayed up this long gets its backoff reset.
        var stableAfter: Duration = .seconds(30)
        var maxRestarts = 8
        var window: Duration = .seconds(120)
        var pollInterval: Duration = .milliseconds(100)
    }

    /// How to start worker `index` listening on `port`.
    struct Launch: Sendable {
        var executable: String
        var arguments: @Sendable (_ port: Int) -> [String]
        var environment: [String: String]
        var directory: String
    }

    private struct Slot {
        let index: Int
        let port: Int
        var process: WorkerProcess?
        var startedAt: ContinuousClock.Instant
        var restartAt: ContinuousClock.Instant?
        var backoff: Duration
        var restarts: [ContinuousClock.Instant] = []
        var gaveUp = false
    }

    private let launch: Launch
    private let policy: Policy
    private let clock = ContinuousClock()
    private var slots: [Slot]
    private var stopping = false
    private let log: @Sendable (String) -> Void

    /// A supervisor for one worker per port; nothing starts until ``start()``.
    init(ports: [Int], launch: Launch, policy: Policy = Policy(), log: @escaping @Sendable (String) -> Void = { printError("athena: \($0)") }) {
        self.launch = launch
        self.policy = policy
        self.log = log
        let now = ContinuousClock().now
        slots = ports.enumerated().map { Slot(index: $0.offset, port: $0.element, process: nil, startedAt: now, backoff: policy.initialBackoff) }
    }

    /// The worker ports, in order.
    var ports: [Int] { slots.map(\.port) }

    /// Current pids (nil for a worker that is down), in port order; tests kill workers by these.
    var pids: [Int32?] { slots.map { $0.process?.pid } }

    /// Starts every worker; throws (after stopping the ones already started) if one cannot spawn.
    func start() async throws {
        for i in slots.indices {
            do {
                try spawn(i)
            } catch {
                await stopAll()
                throw error
            }
        }
    }

    /// Watches the workers until ``stopAll()`` or cancellation; returns an error message when every
    /// worker has exhausted its restarts (nothing left to serve).
    func supervise() async -> String? {
        while !stopping && !Task.isCancelled {
            let now = clock.now
            for i in slots.indices {
                if let process = slots[i].process, let exit = process.poll() {
                    process.signalGroup(SIGKILL) // anything it forked
                    slots[i].process = nil
                    scheduleRestart(i, exit: exit, now: now)
                }
                if let at = slots[i].restartAt, at <= now, !stopping {
                    slots[i].restartAt = nil
                    do {
                        try spawn(i)
                    } catch {
                        log("worker \(i) on port \(slots[i].port): \(error)")
                        scheduleRestart(i, exit: .exited(-1), now: now)
                    }
                }
            }
            if slots.allSatisfy(\.gaveUp) {
                return "every engine worker keeps failing; giving up (see the worker output above)"
            }
            try? await Task.sleep(for: policy.pollInterval)
        }
        return nil
    }

    /// Stops every worker (SIGTERM to its group, SIGKILL after a grace period) and stops restarting.
    func stopAll() async {
        stopping = true
        let running = slots.compactMap(\.process)
        for i in slots.indices { slots[i].process = nil }
        for process in running { process.signalGroup(SIGTERM) }
        await withTaskGroup(of: Void.self) { group in
            for process in running { group.addTask { await process.stop(grace: .seconds(5)) } }
        }
    }

    // MARK: - Internals

    private func spawn(_ i: Int) throws {
        let port = slots[i].port
        slots[i].process = try WorkerProcess.spawn(
            executable: launch.executable, arguments: launch.arguments(port),
            environment: launch.environment, directory: launch.directory)
        slots[i].startedAt = clock.now
    }

    private func scheduleRestart(_ i: Int, exit: WorkerProcess.Exit, now: ContinuousClock.Instant) {
        guard !stopping else { return }
        if now - slots[i].startedAt >= policy.stableAfter { slots[i].backoff = policy.initialBackoff }
        slots[i].restarts = slots[i].restarts.filter { now - $0 < policy.window }
        guard slots[i].restarts.count < policy.maxRestarts else {
            slots[i].gaveUp = true
            log("worker \(i) on port \(slots[i].port) \(exit); restarted \(policy.maxRestarts) times in \(policy.window), not restarting it again")
            return
        }
        let delay = slots[i].backoff
        slots[i].restarts.append(now)
        slots[i].restartAt = now + delay
        slots[i].backoff = min(delay * 2, policy.maxBackoff)
        log("worker \(i) on port \(slots[i].port) \(exit); restarting in \(delay)")
    }
}
