import Foundation
import Testing
@testable import AthenaCLI
#if canImport(Glibc)
import Glibc
#endif

/// The supervisor with plain shell processes: bounded restarts, and stopping kills the whole
/// process group (children the worker forked included).
@Suite("worker supervisor", .timeLimit(.minutes(1)))
struct WorkerSupervisorTests {
    static func launch(_ script: String) -> WorkerSupervisor.Launch {
        WorkerSupervisor.Launch(executable: "/bin/sh", arguments: { _ in ["-c", script] },
                                environment: ["PATH": "/usr/bin:/bin"], directory: "/tmp")
    }

    @Test("a worker that keeps dying is restarted with backoff, then given up on")
    func givesUp() async throws {
        var policy = WorkerSupervisor.Policy()
        policy.initialBackoff = .milliseconds(10)
        policy.maxBackoff = .milliseconds(40)
        policy.maxRestarts = 3
        policy.pollInterval = .milliseconds(10)
        let lines = LogBuffer()
        let supervisor = WorkerSupervisor(ports: [1], launch: Self.launch("exit 3"), policy: policy,
                                          log: { lines.append(Data(($0 + "\n").utf8)) })
        try await supervisor.start()
        let message = await supervisor.supervise()
        #expect(message?.contains("giving up") == true)
        let log = lines.text
        #expect(log.components(separatedBy: "restarting in").count - 1 == 3, "\(log)")
        #expect(log.contains("exited with status 3"))
        #expect(log.contains("not restarting it again"))
    }

    @Test("stopAll stops the worker and everything it forked")
    func stopsProcessGroup() async throws {
        let supervisor = WorkerSupervisor(ports: [1], launch: Self.launch("sleep 60 & sleep 60"))
        try await supervisor.start()
        let pid = try #require(await supervisor.pids.first ?? nil)
        // wait (bounded) until the background sleep exists in the group
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while ServedApp.children(of: pid).isEmpty && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let forked = ServedApp.children(of: pid)
        #expect(!forked.isEmpty)
        await supervisor.stopAll()
        let gone = clock.now + .seconds(5)
        while kill(-pid, 0) == 0 && clock.now < gone { // orphans are reaped by init, not by us
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(kill(-pid, 0) != 0, "the process group \(pid) still has members")
        for child in forked { #expect(kill(child, 0) != 0) }
    }
}
