@testable import KubeRuntime
import KubeModel
import Testing

@Suite("ObjectKey and owner mapping")
struct ObjectKeyTests {
    @Test("parses namespace/name and name, rejects malformed", arguments: [
        ("ns/a", ObjectKey(namespace: "ns", name: "a") as ObjectKey?),
        ("a", ObjectKey(namespace: nil, name: "a")),
        ("", nil), ("/a", nil), ("ns/", nil), ("a/b/c", nil),
    ])
    func parsing(text: String, expected: ObjectKey?) {
        #expect(ObjectKey(parsing: text) == expected)
        if let expected { #expect(expected.description == text) }
    }

    @Test("empty namespace means cluster scoped")
    func emptyNamespace() {
        #expect(ObjectKey(namespace: "", name: "x") == ObjectKey(namespace: nil, name: "x"))
    }

    @Test("owned objects map to their controller owner of the right kind and group")
    func ownerMapping() {
        var meta = ObjectMeta(name: "child", namespace: "ns")
        meta.ownerReferences = [
            OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "other", uid: "u0"),
            OwnerReference(apiVersion: "serving.athena.dev/v1alpha1", kind: "OnlineService", name: "svc", uid: "u1", controller: true),
        ]
        #expect(OwnerMapping.controllerOwnerKey(of: meta, ownerKind: "OnlineService", ownerGroup: "serving.athena.dev") == ObjectKey(namespace: "ns", name: "svc"))
        #expect(OwnerMapping.controllerOwnerKey(of: meta, ownerKind: "OnlineService", ownerGroup: "apps") == nil)
        #expect(OwnerMapping.controllerOwnerKey(of: meta, ownerKind: "ConfigMap", ownerGroup: "") == nil)  // not the controller
        meta.ownerReferences = nil
        #expect(OwnerMapping.controllerOwnerKey(of: meta, ownerKind: "OnlineService", ownerGroup: "serving.athena.dev") == nil)
    }
}
