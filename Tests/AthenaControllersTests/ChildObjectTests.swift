import AthenaAPI
import AthenaControllers
import Foundation
import Testing

@Suite("ChildObject: cached children as compact bytes plus figures")
struct ChildObjectTests {
    @Test("decode drops managedFields, keeps everything else byte-for-value, extracts the Deployment figures")
    func deploymentRoundTrip() throws {
        let original: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "d", "namespace": "ns", "generation": 3, "resourceVersion": "17",
                         "managedFields": [["manager": "kubectl"]], "annotations": ["note": "quote \" slash \\ tab \t nl \n bell \u{07} é"]],
            "spec": ["replicas": 2, "template": ["spec": ["containers": [["name": "engine", "image": "x:1"]]]]],
            "status": ["observedGeneration": 3, "replicas": 2, "readyReplicas": 1, "updatedReplicas": 2, "ratio": 0.25],
        ]
        let decoded = try JSONDecoder().decode(DeploymentObject.self, from: try original.serialized())
        var expected = original
        expected["metadata"]?["managedFields"] = nil
        #expect(decoded.json == expected)
        #expect(decoded.metadata.name == "d" && decoded.metadata.generation == 3)
        #expect(decoded.kind == "Deployment" && decoded.apiVersion == "apps/v1")
        #expect(decoded.figures.specReplicas == 2)
        #expect(decoded.figures.readyReplicas == 1)
        #expect(decoded.figures.observedGeneration == 3)
        #expect(decoded.figures.nodePort == nil)
    }

    @Test("a Service's node port is a figure; setting metadata rewrites the bytes")
    func serviceFigures() throws {
        var service = ServiceObject(json: ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "s"],
                                           "spec": ["ports": [["port": 80, "nodePort": 30080]]]])
        #expect(service.figures.nodePort == 30080)
        var meta = service.metadata
        meta.labels = ["a": "b"]
        service.metadata = meta
        #expect(service.json["metadata"]?["labels"]?["a"]?.stringValue == "b")
        #expect(service.json["spec"]?["ports"]?.arrayValue?.first?["nodePort"]?.intValue == 30080)
    }
}
