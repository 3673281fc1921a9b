import NIOCore

/// Runs request tasks on an event loop, as a *task executor*: one per loop, shared by all the
/// connections the loop serves.
///
/// Why not just the global-executor hook (`GatewayProcess.tune()`): NIO runs every job it gets
/// through that hook with the event loop as *serial* executor, so each time the task enters a
/// nonisolated async function (at its start, and again after every resumption) Swift switches
/// off that "actor" by enqueueing the job once more — one extra loop pass per suspension, 5% of
/// the gateway's CPU in the profile. A task executor keeps the task on the generic executor, so
/// nonisolated code runs straight through, and continuations resume on this loop.
///
/// Why a queue of its own: a request enqueues two jobs (its start, and its resumption when the
/// engine answers). Handing each to `EventLoop.execute` costs a closure allocation and a
/// scheduled task; here jobs enqueued on the loop go into a ring buffer, drained by one
/// pre-made closure per loop pass however many there are. Jobs enqueued from another thread
/// (rare: a continuation resumed elsewhere) still go through `execute`.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let eventLoop: any EventLoop
    /// Jobs waiting for the next drain (only touched on `eventLoop`).
    private var jobs = CircularBuffer<UnownedJob>(initialCapacity: 64)
    /// A drain is scheduled (only touched on `eventLoop`).
    private var drainScheduled = false
    /// The drain, made once (scheduling it allocates nothing).
    private var drainClosure: (@Sendable () -> Void)?

    private init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.drainClosure = { [unowned self] in self.drain() }
    }

    private static let executors = PerEventLoop { EventLoopTaskExecutor($0) }

    /// The executor of `eventLoop` (see PerEventLoop).
    static func on(_ eventLoop: any EventLoop) -> EventLoopTaskExecutor {
        executors.on(eventLoop)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        guard eventLoop.inEventLoop else {
            eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
            return
        }
        jobs.append(job)
        if !drainScheduled, let drainClosure {
            drainScheduled = true
            eventLoop.execute(drainClosure)
        }
    }

    /// Runs the jobs queued when the drain starts; jobs they enqueue wait for the next loop pass
    /// (so I/O and other loop tasks are never starved).
    private func drain() {
        drainScheduled = false
        var count = jobs.count
        while count > 0, let job = jobs.popFirst() {
            count -= 1
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
        if !jobs.isEmpty && !drainScheduled, let drainClosure {
            drainScheduled = true
            eventLoop.execute(drainClosure)
        }
    }
}
