import AthenaAPI
import Foundation
import KubeModel
import KubeTesting
import Testing

extension OperatorProcessSuites {
    /// Issue 3 reliability: the real `athena-operator` process killed mid-reconcile, served faults
    /// (500s, 409s, cut watches, expired history), and run as two leader-elected replicas.
    @Suite("athena-operator reliability (real processes)")
    struct OperatorReliabilityTests {
        static let applications = ["app-a", "app-b"]

        private static func services(_ names: [String]) -> [(name: String, applications: [String])] {
            names.map { ($0, applications) }
        }

        /// Runs `body` with a fresh world holding the two applications; always stops everything,
        /// and on failure records the operators' logs.
        private static func withWorld(_ body: (OperatorWorld) async throws -> Void) async throws {
            let world = try await OperatorWorld.start()
            do {
                for application in applications { try world.createApplication(application) }
                world.server.requestLog.reset()  // kubectl's CRD writes are not the operator's
                try await body(world)
            } catch {
                Issue.record("operator logs:\n\(world.logs)")
                await world.stop()
                throw error
            }
            await world.stop()
        }

        @Test("SIGKILL mid-reconcile, restart: converges, each child exactly once, none orphaned")
        func killedMidReconcile() async throws {
            try await Self.withWorld { world in
                let names = (0..<12).map { "svc-\($0)" }
                for name in names { try world.createService(name, applications: Self.applications) }
                // Slow creates down so the kill lands while children are being created.
                world.server.faults.setLatency(.milliseconds(100), verb: "create")
                let first = try world.startOperator(name: "first")
                try await eventually("the first operator has created some Deployments", timeout: .seconds(40), detail: { world.logs }) {
                    world.server.requestLog.count(verb: "create", resource: "deployments") >= 4
                }
                await first.crash()
                #expect(!first.isRunning)
                let deploymentsAtKill = world.server.list(OperatorWorld.deployments, namespace: "default").count
                #expect(deploymentsAtKill < names.count * 2, "the kill should land mid-way (\(deploymentsAtKill) Deployments existed)")
                #expect(!world.allRunning(names))
                world.server.faults.clearLatency()

                let second = try world.startOperator(name: "second")
                try await eventually("every service Running after the restart", timeout: .seconds(40), detail: { "\(world.phases)" }) {
                    world.allRunning(names)
                }
                try await eventually("children exactly once, all owned", timeout: .seconds(10),
                                     detail: { "\(world.childProblems(Self.services(names)))" }) {
                    world.childProblems(Self.services(names)).isEmpty
                }
                #expect(second.isRunning)
            }
        }

        @Test("500s, 409s, failed lists, cut watches and expired history: converges, then writes nothing")
        func faultsStillConverge() async throws {
            try await Self.withWorld { world in
                let faults = world.server.faults
                faults.failNext(3, status: 500, verb: "list")
                faults.failNext(8, status: 500, verb: "create")
                faults.failNext(4, status: 409, resource: "onlineservices/status")
                faults.failNext(2, status: 409, verb: "patch")
                faults.failNext(2, status: 503, verb: "update")
                faults.closeWatches(afterEvents: 4)
                let names = (0..<8).map { "faulty-\($0)" }
                for name in names { try world.createService(name, applications: Self.applications) }
                _ = try world.startOperator(name: "faults")
                try await eventually("every service Running despite the faults", timeout: .seconds(45), detail: { "\(world.phases)" }) {
                    world.allRunning(names)
                }
                let statuses = world.server.requestLog.entries.map(\.status)
                #expect(statuses.contains(500) && statuses.contains(409), "the faults were served")
                // A world that changed while watches were down: one more service, history expired.
                world.server.closeAllWatches()
                world.server.expireWatchHistory()
                try world.createService("late", applications: Self.applications)
                try await eventually("the late service Running after relists", timeout: .seconds(30), detail: { "\(world.phases)" }) {
                    world.allRunning(names + ["late"])
                }
                try await eventually("children exactly once, all owned", timeout: .seconds(10),
                                     detail: { "\(world.childProblems(Self.services(names + ["late"])))" }) {
                    world.childProblems(Self.services(names + ["late"])).isEmpty
                }

                // The Event of reaching Running is written just after the status: let it land first.
                try await eventually("the late service's DeploySucceeded Event", timeout: .seconds(10), detail: { "\(Self.eventSummary(world))" }) {
                    Self.eventSummary(world, last: 100).contains { $0.hasPrefix("late DeploySucceeded") }
                }

                // Steady state: a full relist re-delivers every object; nothing may be written.
                // The unrelated ConfigMap moves the resourceVersion past every informer's, so after the
                // history is forgotten each re-watch gets 410 Gone and relists.
                faults.reset()
                world.server.requestLog.reset()
                _ = try world.server.create([
                    "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "unrelated", "namespace": "default"],
                ])
                world.server.expireWatchHistory()
                world.server.closeAllWatches()
                try await eventually("the operator relisted OnlineServices and Deployments", timeout: .seconds(20)) {
                    world.server.requestLog.count(verb: "list", resource: "onlineservices") >= 1
                        && world.server.requestLog.count(verb: "list", resource: "deployments") >= 1
                }
                try await Self.observeNoWrites(world, for: .milliseconds(1500))
            }
        }

        @Test("two replicas with --leader-elect: only the leader writes; SIGKILL → the other leads within the lease time")
        func leaderElectionFailover() async throws {
            try await Self.withWorld { world in
                let arguments = ["--leader-elect", "--lease-namespace", "default"]
                let a = try world.startOperator(name: "replica-a", arguments: arguments, environment: ["POD_NAME": "replica-a"])
                let b = try world.startOperator(name: "replica-b", arguments: arguments, environment: ["POD_NAME": "replica-b"])
                var holder = ""
                try await eventually("a replica holds the lease", timeout: .seconds(20), detail: { world.logs }) {
                    holder = Self.leaseHolder(world)
                    return holder == "replica-a" || holder == "replica-b"
                }
                let (leader, follower) = holder == "replica-a" ? (a, b) : (b, a)
                let names = (0..<6).map { "ha-\($0)" }
                for name in names { try world.createService(name, applications: Self.applications) }
                try await eventually("every service Running under the leader", timeout: .seconds(40), detail: { "\(world.phases)" }) {
                    world.allRunning(names)
                }
                let agents = Set(world.server.requestLog.entries.map(\.userAgent))
                try #require(agents.contains { $0.contains(leader.name) }, "the User-Agent must name the replica (\(agents.sorted()))")
                // The follower may try to take the Lease (a 409 when both start at once), nothing else.
                let followerWrites = world.server.requestLog.entries.filter {
                    $0.userAgent.contains(follower.name) && RequestLog.writeVerbs.contains($0.verb)
                        && ($0.resource != "leases" || $0.status < 300)
                }
                #expect(followerWrites.isEmpty, "the follower wrote: \(followerWrites.prefix(5))")
                #expect(world.objectWrites().allSatisfy { $0.userAgent.contains(leader.name) }, "every object write came from the leader")

                let killed = ContinuousClock.now
                await leader.crash()
                try await eventually("\(follower.name) takes the lease", timeout: .seconds(30), detail: { "holder \(Self.leaseHolder(world))" }) {
                    Self.leaseHolder(world) == follower.name
                }
                let takeover = killed.duration(to: .now)
                #expect(takeover < .seconds(20), "failover took \(takeover); lease 15 s + retry 2 s")
                world.server.requestLog.reset()
                try world.createService("after-failover", applications: Self.applications)
                try await eventually("the new leader reconciles", timeout: .seconds(30), detail: { "\(world.phases)" }) {
                    world.allRunning(names + ["after-failover"])
                }
                let strangers = world.objectWrites().filter { !$0.userAgent.contains(follower.name) }
                #expect(strangers.isEmpty, "writes after the failover not from the new leader: \(strangers.prefix(5).map { "\($0.userAgent) \($0)" })")
                #expect(world.childProblems(Self.services(names + ["after-failover"])).isEmpty)
            }
        }

        // MARK: - Helpers

        static func leaseHolder(_ world: OperatorWorld) -> String {
            world.server.get(OperatorWorld.leases, namespace: "default", name: "athena-operator-leader")?[path: ["spec", "holderIdentity"]]?
                .stringValue ?? ""
        }

        /// "object reason count" of every Event, newest last, for failure messages.
        static func eventSummary(_ world: OperatorWorld, last: Int = 6) -> [String] {
            world.server.list(GroupVersionResource(group: "", version: "v1", resource: "events"), namespace: "default")
                .sorted { ($0[path: ["metadata", "resourceVersion"]]?.stringValue.flatMap { Int($0) } ?? 0)
                    < ($1[path: ["metadata", "resourceVersion"]]?.stringValue.flatMap { Int($0) } ?? 0) }
                .suffix(last)
                .map { event in
                    [event[path: ["involvedObject", "name"]], event["reason"], event["count"]].map { "\($0?.stringValue ?? $0.map { "\($0)" } ?? "-")" }
                        .joined(separator: " ")
                }
        }

        /// Watches the request log for `window` (polling, bounded) and fails on the first write
        /// other than a Lease renewal.
        static func observeNoWrites(_ world: OperatorWorld, for window: Duration) async throws {
            let end = ContinuousClock.now + window
            var checks = 0
            while ContinuousClock.now < end && checks < 1000 {
                checks += 1
                let writes = world.server.requestLog.entries.filter { RequestLog.writeVerbs.contains($0.verb) && $0.resource != "leases" }
                try #require(writes.isEmpty, "steady state wrote: \(writes.prefix(5).map(\.description)); events: \(eventSummary(world))")
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}
