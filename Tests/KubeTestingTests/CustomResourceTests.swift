import Foundation
import KubeModel
@testable import KubeTesting
import Testing

@Suite("CustomResourceDefinitions and custom resources")
struct CustomResourceTests {
    private let widgets = "/apis/example.athena.dev/v1alpha1/namespaces/default/widgets"

    private func installCRD(_ client: TestClient) async throws {
        let reply = try await client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Fixtures.widgetCRD)
        #expect(reply.status == 201)
        let conditions = reply.json[path: ["status", "conditions"]]?.arrayValue ?? []
        #expect(conditions.contains { $0["type"] == "Established" && $0["status"] == "True" })
    }

    @Test func crdMakesResourcesServableAndDiscoverable() async throws {
        try await withServer { _, client in
            #expect(try await client.get(widgets).status == 404)
            try await installCRD(client)
            #expect(try await client.get(widgets).status == 200)
            let list = try await client.get("/apis/example.athena.dev/v1alpha1").json
            let resources = list["resources"]?.arrayValue ?? []
            let widget = try #require(resources.first { $0["name"] == "widgets" })
            #expect(widget["shortNames"] == ["wd"])
            #expect(widget["categories"] == ["athena"])
            #expect(widget["namespaced"] == true)
            #expect(resources.contains { $0["name"] == "widgets/status" })
        }
    }

    @Test func invalidCustomResourceGetsTheRealServersMessage() async throws {
        try await withServer { _, client in
            try await installCRD(client)
            let reply = try await client.post(widgets, Fixtures.widget("big", size: 150))
            #expect(reply.status == 422)
            #expect(reply.json["reason"] == "Invalid")
            #expect(
                reply.json["message"]
                    == "Widget.example.athena.dev \"big\" is invalid: spec.size: Invalid value: 150: spec.size in body should be less than or equal to 100")
            #expect(reply.json[path: ["details", "causes"]]?.arrayValue?.first?["field"] == "spec.size")
        }
    }

    @Test(arguments: [
        (["mode": JSONValue.string("medium")], "spec.mode: Unsupported value: \"medium\": supported values: \"fast\", \"slow\""),
        (["name": JSONValue.string("a")], "spec.name in body should be at least 2 chars long"),
        (["name": JSONValue.string("ABC")], "spec.name in body should match '^[a-z]+$'"),
        (["parts": JSONValue.array([[:], [:], [:], [:]])], "spec.parts: Too many: 4: must have at most 3 items"),
        (["labels": JSONValue.object(["a": 1])], "spec.labels.a: Invalid value: \"integer\": spec.labels.a in body must be of type string"),
    ])
    func schemaKeywords(extra: [String: JSONValue], message: String) async throws {
        try await withServer { _, client in
            try await installCRD(client)
            let reply = try await client.post(widgets, Fixtures.widget("w", extra: extra))
            #expect(reply.status == 422)
            #expect(reply.json["message"]?.stringValue?.contains(message) == true, "\(reply.json["message"] ?? .null)")
        }
    }

    @Test func requiredFieldsDefaultsAndPruning() async throws {
        try await withServer { _, client in
            try await installCRD(client)
            var missing = Fixtures.widget("m")
            missing["spec"] = [:]
            let reply = try await client.post(widgets, missing)
            #expect(reply.json["message"]?.stringValue?.contains("spec.size: Required value") == true)

            let created = try await client.post(
                widgets, Fixtures.widget("ok", extra: ["unknown": "x", "free": ["any": ["thing": 1]]])).json
            #expect(created[path: ["spec", "mode"]] == "fast")
            #expect(created[path: ["spec", "unknown"]] == nil)
            #expect(created[path: ["spec", "free", "any", "thing"]] == 1)

            let strict = try await client.post("\(widgets)?fieldValidation=Strict", Fixtures.widget("s", extra: ["unknown": "x"]))
            #expect(strict.status == 400)
            #expect(strict.json["message"]?.stringValue?.contains("unknown field \"spec.unknown\"") == true)
        }
    }

    @Test func statusSubresourceAndMainEndpointSeparation() async throws {
        try await withServer { _, client in
            try await installCRD(client)
            var widget = Fixtures.widget("s")
            widget["status"] = ["phase": "Ready"]
            let created = try await client.post(widgets, widget).json
            #expect(created["status"] == nil)
            let patched = try await client.patch("\(widgets)/s/status", ["status": ["phase": "Ready"], "spec": ["size": 9]]).json
            #expect(patched[path: ["status", "phase"]] == "Ready")
            #expect(patched[path: ["spec", "size"]] == 3)
            let smp = try await client.patch("\(widgets)/s", ["spec": ["size": 4]], type: "application/strategic-merge-patch+json")
            #expect(smp.status == 415)
        }
    }

    @Test func tablesUsePrinterColumns() async throws {
        try await withServer { _, client in
            try await installCRD(client)
            _ = try await client.post(widgets, Fixtures.widget("t", extra: ["parts": [["color": "red"], ["color": "blue"]]]))
            _ = try await client.patch("\(widgets)/t/status", ["status": ["phase": "Ready"]])
            let table = try await client.get(widgets, accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json").json
            #expect(table["kind"] == "Table")
            let names = (table["columnDefinitions"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            #expect(names == ["Name", "Size", "Colors", "Phase"])
            #expect(table["rows"]?.arrayValue?.first?["cells"] == ["t", 3, "red,blue", "Ready"])
            #expect(table["rows"]?.arrayValue?.first?[path: ["object", "kind"]] == "PartialObjectMetadata")

            let deployments = try await client.get(
                "/apis/apps/v1/namespaces/default/deployments", accept: "application/json;as=Table;v=v1;g=meta.k8s.io").json
            let columns = (deployments["columnDefinitions"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            #expect(columns == ["Name", "Ready", "Up-to-date", "Available", "Age"])
        }
    }

    @Test func deletingTheCRDDeletesItsResources() async throws {
        try await withServer { server, client in
            try await installCRD(client)
            _ = try await client.post(widgets, Fixtures.widget("gone"))
            _ = try await client.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.athena.dev")
            #expect(try await client.get(widgets).status == 404)
            #expect(server.get(
                GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions"),
                namespace: nil, name: "widgets.example.athena.dev") == nil)
        }
    }
}
