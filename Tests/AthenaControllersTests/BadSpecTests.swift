import AthenaAPI
import AthenaControllers
import Foundation
import KubeRuntime
import KubeTesting
import Testing

/// A bad change to a Running service (or to an application it uses) must be refused with a
/// precise condition, and must not touch a single running object.
@Suite("Bad specs: condition with reason and message, no child changed")
struct BadSpecTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var reason: String
        var message: String
        var change: @Sendable (OperatorHarness) throws -> Void
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "weights sum to 90", reason: ConditionReason.invalidWeights,
             message: "spec.versions: weights must sum to 100, but they sum to 90 (digits-v1=50, digits-v2=40)") { h in
            try h.updateService {
                $0.versions[0].weight = 50
                $0.versions[1].weight = 40
            }
        },
        Case(name: "routing rule does not parse", reason: ConditionReason.invalidRoutingRule,
             message: "spec.rules[0].expression: ") { h in
            try h.updateService { $0.rules = [RouteRule(expression: "#HEADER_version === '2'", version: "digits-v2")] }
        },
        Case(name: "rule targets an unknown version", reason: ConditionReason.invalidRoutingRule,
             message: "spec.rules[0].version: \"digits-v3\" is not a version of this service") { h in
            try h.updateService { $0.rules = [RouteRule(expression: "#HEADER_version == '3'", version: "digits-v3")] }
        },
        Case(name: "unknown application", reason: ConditionReason.applicationNotFound,
             message: "spec.versions[1].application: AIApplication \"digits-v9\" not found in namespace default") { h in
            try h.updateService { $0.versions[1].application = "digits-v9" }
        },
        Case(name: "application gets an invalid request schema", reason: ConditionReason.applicationFailed,
             message: "spec.versions[1].application: AIApplication \"digits-v2\" is Failed: spec.apis[0].request") { h in
            try h.updateApplication("digits-v2") {
                $0.apis = [ModelAPI(request: ModelAPIMessage(data: ["type": "text"]))]
            }
        },
    ]

    @Test("refused before anything changes", arguments: cases)
    func refused(_ c: Case) async throws {
        try await OperatorHarness.with { h in
            try await h.runDigits()
            let children = h.childVersions()
            try c.change(h)
            h.server.requestLog.reset()
            #expect(try await h.reconcileService() == .done)

            #expect(h.childVersions() == children, "a child changed")
            #expect(h.writes.filter { !$0.hasPrefix("update onlineservices/status") && !$0.hasPrefix("create events") }.isEmpty,
                    "writes besides status and event: \(h.writes)")
            let service = try #require(try h.service())
            #expect(service.status?.phase == .failed)
            let ready = try #require(service.status?.conditions?[type: ConditionType.ready])
            #expect(ready.status == "False")
            #expect(ready.reason == c.reason)
            #expect(ready.message.hasPrefix(c.message), "message: \(ready.message)")
            #expect(ready.observedGeneration == service.metadata.generation)
            #expect(h.events(about: "digits").contains { $0.hasPrefix("\(c.reason): ") })

            h.server.requestLog.reset()
            try await h.reconcileService()
            #expect(h.writes.isEmpty, "refusing again must write nothing: \(h.writes)")
        }
    }

    @Test("fixing the spec brings the service back to Running without touching the Deployments")
    func fixedSpecRecovers() async throws {
        try await OperatorHarness.with { h in
            try await h.runDigits()
            try h.updateService { $0.versions[0].weight = 10 }
            try await h.reconcileService()
            #expect(try h.service()?.status?.phase == .failed)
            try h.updateService { $0.versions[0].weight = 90 }
            h.server.requestLog.reset()
            try await h.reconcileService()
            #expect(try h.service()?.status?.phase == .running)
            #expect(h.server.requestLog.count(verb: "update", resource: "deployments") == 0)
        }
    }

    @Test("negative replicas: rejected by the CRD schema at the API server, and by the operator's precheck")
    func negativeReplicas() async throws {
        try await OperatorHarness.with { h in
            try await h.runDigits()
            var json = try JSONValue(encoding: try #require(try h.service()))
            json["spec"]?["versions"] = [["application": "digits-v1", "weight": 100, "replicas": -1]]
            #expect(throws: Status.self) { _ = try h.server.update(json) }
        }
        let service = Fixtures.service(versions: [ServiceVersion(application: "digits-v1", weight: 100, replicas: -1)])
        let blocked = try #require(ServicePrecheck.blocked(service, applications: [Fixtures.application("digits-v1")]))
        #expect(blocked.reason == ConditionReason.invalidSpec)
        #expect(blocked.message.hasPrefix("spec.versions[0].replicas: "), "\(blocked.message)")
    }
}
