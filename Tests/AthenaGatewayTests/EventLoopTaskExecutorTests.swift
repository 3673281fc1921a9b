@testable import AthenaGateway
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// Steps of the tasks that ran off their loop.
final class OffLoopCount: Sendable {
    let value = Atomic<Int>(0)
}

@Suite("EventLoopTaskExecutor: request tasks on their connection's loop")
struct EventLoopTaskExecutorTests {
    @Test("one executor per loop; tasks start and resume on it, whoever resumes them")
    func tasksStayOnTheLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loop = group.next()
        let executor = EventLoopTaskExecutor.on(loop)
        #expect(EventLoopTaskExecutor.on(loop) === executor)
        #expect(EventLoopTaskExecutor.on(group.next()) !== executor)
        let other = group.next()
        let counts = OffLoopCount()
        // Many tasks at once (each a start job and a resumption job), resumed from the other loop
        // (jobs enqueued off the loop) and from the loop itself (the executor's own queue).
        let tasks = (0..<500).map { i in
            Task(executorPreference: executor) { () -> Int in
                if !loop.inEventLoop { counts.value.add(1, ordering: .relaxed) }
                let resumer: any EventLoop = i.isMultiple(of: 2) ? other : loop
                let value = try await resumer.submit { i * 2 }.get()
                if !loop.inEventLoop { counts.value.add(1, ordering: .relaxed) }
                await Task.yield()
                if !loop.inEventLoop { counts.value.add(1, ordering: .relaxed) }
                return value
            }
        }
        var sum = 0
        for task in tasks { sum += try await task.value }
        #expect(sum == (0..<500).reduce(0) { $0 + $1 * 2 })
        #expect(counts.value.load(ordering: .relaxed) == 0)
        try await group.shutdownGracefully()
    }
}
