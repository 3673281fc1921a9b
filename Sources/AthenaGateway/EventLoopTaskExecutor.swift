import NIOCore

/// Runs a request's task on the event loop of its connection, as a *task executor*.
///
/// Why not just the global-executor hook (`GatewayProcess.tune()`): NIO runs every job it gets
/// through that hook with the event loop as *serial* executor, so each time the task enters a
/// nonisolated async function (at its start, and again after every resumption) Swift switches
/// off that "actor" by enqueueing the job once more — one extra loop pass per suspension, 5% of
/// the gateway's CPU in the profile. A task executor keeps the task on the generic executor, so
/// nonisolated code runs straight through, and continuations resume on this loop.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
