import AthenaAPI
import AthenaControllers
import Foundation
import KubeRuntime
import KubeTesting
import Testing

/// BatchServices run as indexed Jobs: the Job built from the application, the status following
/// the Job, and the cases where no Job can run (invalid spec, application missing or unusable).
@Suite("BatchService Job and status against the in-memory API server")
struct BatchServiceReconcilerTests {
    static func batch(_ name: String = "digits-batch", application: String = "digits-v1", input: String = "pvc://data/images",
                      parallelism: Int? = nil) -> BatchService {
        var batch = BatchService(name: name, namespace: "default", spec: BatchServiceSpec(
            application: application, input: BatchInput(path: input), output: BatchOutput(path: "pvc://results/digits"),
            parallelism: parallelism))
        batch.metadata.uid = "uid-batch-\(name)"
        return batch
    }

    /// The digits application with a ModelArts API whose `image` field takes a file.
    static func application(_ name: String = "digits-v1") -> AIApplication {
        Fixtures.application(name, apis: [ModelAPI(url: "/", method: "POST", request: ModelAPIMessage(
            contentType: "multipart/form-data", data: ["type": "object", "properties": ["image": ["type": "file"]]]))])
    }

    func reconcile(_ h: OperatorHarness, _ name: String = "digits-batch") async throws -> BatchServiceStatus? {
        try await h.settle()
        _ = try await h.operators.batchReconciler.reconcile(ObjectKey(namespace: "default", name: name))
        return try h.server.get(OperatorHarness.batchServices, namespace: "default", name: name)
            .map { try $0.decode(as: BatchService.self) }?.status
    }

    /// Reconciles until the simulated Job controller has completed the Job (bounded: 3 s).
    func reconcileUntilCompleted(_ h: OperatorHarness) async throws -> BatchServiceStatus? {
        var status: BatchServiceStatus?
        for _ in 0..<100 {
            status = try await reconcile(h)
            if status?.phase == .completed { break }
            try await Task.sleep(for: .milliseconds(30))
        }
        #expect(status?.phase == .completed)
        return status
    }

    static let jobs = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")

    @Test("application missing → Pending/ApplicationNotFound; then an indexed Job: engine as native sidecar, driver with its shard, PVCs; unchanged → no write")
    func jobOnceTheApplicationExists() async throws {
        try await OperatorHarness.with { h in
            try h.create(Self.batch(parallelism: 3))
            let missing = try #require(try await reconcile(h))
            #expect(missing.phase == .pending)
            #expect(missing.conditions?[type: ConditionType.ready]?.reason == ConditionReason.applicationNotFound)
            #expect(missing.conditions?[type: ConditionType.ready]?.message
                    == "spec.application: AIApplication \"digits-v1\" not found in namespace default")
            #expect(h.server.get(Self.jobs, namespace: "default", name: "digits-batch") == nil)

            try h.create(Self.application())
            let created = try #require(try await reconcile(h))
            #expect(created.phase == .pending)
            #expect(created.jobName == "digits-batch")
            #expect(created.conditions?[type: ConditionType.ready]?.reason == ConditionReason.jobCreated)
            #expect(h.events(about: "digits-batch").contains { $0.hasPrefix(EventReason.jobCreated) })

            let job = try #require(h.server.get(Self.jobs, namespace: "default", name: "digits-batch"))
            #expect(job[path: ["spec", "completionMode"]] == "Indexed")
            #expect(job[path: ["spec", "completions"]] == 3 && job[path: ["spec", "parallelism"]] == 3)
            let owner = job[path: ["metadata", "ownerReferences"]]?.arrayValue?.first
            let stored = try #require(h.server.get(OperatorHarness.batchServices, namespace: "default", name: "digits-batch"))
            #expect(owner?["kind"] == "BatchService" && owner?["uid"] == stored[path: ["metadata", "uid"]] && owner?["controller"] == true)
            #expect(job[path: ["metadata", "labels", "app.kubernetes.io/name"]] == "athena-batchservice")
            let pod = try #require(job[path: ["spec", "template", "spec"]])
            #expect(pod["restartPolicy"] == "Never")
            let engine = try #require(pod["initContainers"]?.arrayValue?.first { $0["name"] == "engine" })
            #expect(engine["restartPolicy"] == "Always", "the engine is a native sidecar")
            #expect(engine["image"] == "registry.example/digits:1")
            let driver = try #require(pod["containers"]?.arrayValue?.first)
            let args = driver["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(args == ["batch", "--engine", "127.0.0.1:50051", "--service", "digits-v1", "--field", "image",
                             "--input", "/mnt/athena/input/images", "--output", "/mnt/athena/output/digits",
                             "--shard", "$(JOB_COMPLETION_INDEX)/3", "--startup-timeout", "600"], "\(args)")
            #expect(driver["command"]?.arrayValue?.first == "athena")
            let volumes = pod["volumes"]?.arrayValue ?? []
            #expect(volumes.contains { $0["persistentVolumeClaim"]?["claimName"] == "data" && $0["persistentVolumeClaim"]?["readOnly"] == true })
            #expect(volumes.contains { $0["persistentVolumeClaim"]?["claimName"] == "results" && $0["persistentVolumeClaim"]?["readOnly"] == false })

            h.server.requestLog.reset()
            _ = try await reconcile(h)
            #expect(h.writes.isEmpty, "an unchanged world was written: \(h.writes)")
        }
    }

    @Test("the Job completes → Completed/JobSucceeded with an Event; a Job past its deadline → Failed/DeadlineExceeded with a Warning")
    func statusFollowsTheJob() async throws {
        try await OperatorHarness.with(simulateWorkloads: true) { h in
            try h.create(Self.application())
            try h.create(Self.batch())
            let status = try await reconcileUntilCompleted(h)
            #expect(status?.conditions?[type: ConditionType.ready]?.reason == ConditionReason.jobSucceeded)
            #expect(status?.conditions?[type: ConditionType.complete]?.status == "True")
            #expect(status?.completionTime != nil)
            #expect(h.events(about: "digits-batch").contains { $0.hasPrefix(EventReason.jobSucceeded) })
        }
        try await OperatorHarness.with { h in
            try h.create(Self.application())
            try h.create(Self.batch("late"))
            _ = try await reconcile(h, "late")
            var job = try #require(h.server.get(Self.jobs, namespace: "default", name: "late"))
            job["status"] = ["failed": 1, "conditions": [[
                "type": "Failed", "status": "True", "reason": "DeadlineExceeded", "message": "Job was active longer than specified deadline",
            ]]]
            _ = try h.server.updateStatus(job)
            let failed = try #require(try await reconcile(h, "late"))
            #expect(failed.phase == .failed)
            #expect(failed.conditions?[type: ConditionType.ready]?.reason == ConditionReason.deadlineExceeded)
            #expect(failed.conditions?[type: ConditionType.failed]?.status == "True")
            _ = try await reconcile(h, "late")
            #expect(h.events(about: "late").filter { $0.hasPrefix(EventReason.jobFailed) }.count == 1)
        }
    }

    @Test("a Job deleted by hand is not made again: a finished batch keeps Completed, an unfinished one is Failed/JobFailed")
    func deletedJobIsNotRerun() async throws {
        try await OperatorHarness.with(simulateWorkloads: true) { h in
            try h.create(Self.application())
            try h.create(Self.batch())
            #expect(try await reconcileUntilCompleted(h)?.phase == .completed)
            try h.server.delete(Self.jobs, namespace: "default", name: "digits-batch")
            let after = try #require(try await reconcile(h))
            #expect(after.phase == .completed)
            #expect(h.server.get(Self.jobs, namespace: "default", name: "digits-batch") == nil, "the batch must not run twice")
        }
        try await OperatorHarness.with { h in
            try h.create(Self.application())
            try h.create(Self.batch())
            #expect(try await reconcile(h)?.phase == .pending)
            try h.server.delete(Self.jobs, namespace: "default", name: "digits-batch")
            let failed = try #require(try await reconcile(h))
            #expect(failed.phase == .failed)
            #expect(failed.conditions?[type: ConditionType.ready]?.reason == ConditionReason.jobFailed)
            #expect(failed.conditions?[type: ConditionType.ready]?.message.contains("deleted before it finished") == true)
            #expect(h.server.get(Self.jobs, namespace: "default", name: "digits-batch") == nil)
            _ = try await reconcile(h)
            #expect(h.events(about: "digits-batch").filter { $0.hasPrefix(EventReason.jobFailed) }.count == 1)
        }
    }

    @Test("an application without a file field, or without a scalar field for CSV rows → Pending and no Job")
    func nothingToRun() async throws {
        try await OperatorHarness.with { h in
            try h.create(Fixtures.application("digits-v1"))
            try h.create(Self.batch())
            let noField = try #require(try await reconcile(h))
            #expect(noField.conditions?[type: ConditionType.ready]?.reason == ConditionReason.applicationNotDeployable)
            #expect(noField.conditions?[type: ConditionType.ready]?.message.contains("type file") == true)
            try h.create(Self.application("other"))
            try h.create(Self.batch("table", application: "other", input: "pvc://data/list.csv"))
            let csv = try #require(try await reconcile(h, "table"))
            #expect(csv.phase == .pending)
            #expect(csv.conditions?[type: ConditionType.ready]?.reason == ConditionReason.applicationNotDeployable)
            #expect(csv.conditions?[type: ConditionType.ready]?.message.contains("no request field a CSV column can fill") == true)
            #expect(h.server.get(Self.jobs, namespace: "default", name: "digits-batch") == nil)
            #expect(h.server.get(Self.jobs, namespace: "default", name: "table") == nil)
        }
    }

    /// The iris application: a ModelArts JSON API whose rows of four numbers sit in `data.req_data`.
    static func iris() -> AIApplication {
        Fixtures.application("iris-v1", apis: [ModelAPI(url: "/", method: "POST", request: ModelAPIMessage(data: [
            "type": "object",
            "properties": ["data": ["type": "object", "properties": ["req_data": ["type": "array", "items": [[
                "type": "object",
                "properties": ["sepal_length": ["type": "number"], "petal_width": ["type": "number"]],
            ]]]]]],
        ]))])
    }

    @Test("CSV input → a Job whose driver gets the request schema and the mapping (names quoted), one result file per shard")
    func csvJob() async throws {
        try await OperatorHarness.with { h in
            try h.create(Self.iris())
            var batch = Self.batch("iris-batch", application: "iris-v1", input: "pvc://data/train.csv", parallelism: 2)
            batch.spec.input.mapping = ["data.req_data.sepal_length": 0, "data.req_data.petal_width": "2024"]
            try h.create(batch)
            let status = try #require(try await reconcile(h, "iris-batch"))
            #expect(status.phase == .pending && status.jobName == "iris-batch", "\(status)")
            let job = try #require(h.server.get(Self.jobs, namespace: "default", name: "iris-batch"))
            let driver = try #require(job[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first)
            let args = driver["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let schema = #"{"properties":{"data":{"properties":{"req_data":{"items":[{"properties":{"petal_width":{"type":"number"},"#
                + #""sepal_length":{"type":"number"}},"type":"object"}],"type":"array"}},"type":"object"}},"type":"object"}"#
            #expect(args == ["batch", "--engine", "127.0.0.1:50051", "--service", "iris-v1", "--request-schema", schema,
                             "--map", "data.req_data.petal_width=\"2024\"", "--map", "data.req_data.sepal_length=0",
                             "--input", "/mnt/athena/input/train.csv", "--output", "/mnt/athena/output/digits",
                             "--shard", "$(JOB_COMPLETION_INDEX)/2", "--startup-timeout", "600"], "\(args)")
            #expect(!args.contains("--field"))
        }
    }

    @Test("a CSV mapping naming a field the application does not take → Pending/ApplicationNotDeployable, no Job")
    func csvUnknownField() async throws {
        try await OperatorHarness.with { h in
            try h.create(Self.iris())
            var batch = Self.batch("iris-batch", application: "iris-v1", input: "pvc://data/train.csv")
            batch.spec.input.mapping = ["sepal": 0, "petal_width": 1]
            try h.create(batch)
            let status = try #require(try await reconcile(h, "iris-batch"))
            #expect(status.phase == .pending)
            #expect(status.conditions?[type: ConditionType.ready]?.reason == ConditionReason.applicationNotDeployable)
            #expect(status.conditions?[type: ConditionType.ready]?.message == "spec.input.mapping: sepal is not a request field of "
                + "AIApplication iris-v1 (its fields: data.req_data.petal_width, data.req_data.sepal_length)")
            #expect(h.server.get(Self.jobs, namespace: "default", name: "iris-batch") == nil)
        }
    }

    @Test("invalid spec → Failed/InvalidSpec with the field error and one Warning Event")
    func invalidSpec() async throws {
        try await OperatorHarness.with { h in
            try h.create(Self.application())
            try h.create(Self.batch(input: "pvc://data/list.csv"))
            var bad = try #require(try h.server.get(OperatorHarness.batchServices, namespace: "default", name: "digits-batch")
                .map { try $0.decode(as: BatchService.self) })
            bad.spec.input.type = .manifest
            _ = try h.server.update(try JSONValue(encoding: bad))
            let failed = try #require(try await reconcile(h))
            #expect(failed.phase == .failed)
            let ready = try #require(failed.conditions?[type: ConditionType.ready])
            #expect(ready.reason == ConditionReason.invalidSpec)
            #expect(ready.message.contains("spec.input.path: a manifest input must be a .manifest file"), "\(ready.message)")
            _ = try await reconcile(h)
            #expect(h.events(about: "digits-batch").filter { $0.hasPrefix(EventReason.invalidSpec) }.count == 1)
        }
    }

    @Test("an application that does not allow batch → Pending/ApplicationNotDeployable")
    func applicationNotDeployable() async throws {
        try await OperatorHarness.with { h in
            var app = Fixtures.application("digits-v1")
            app.spec.deployTypes = [.online]
            try h.create(app)
            try h.create(Self.batch())
            let status = try #require(try await reconcile(h))
            #expect(status.conditions?[type: ConditionType.ready]?.reason == ConditionReason.applicationNotDeployable)
        }
    }
}
