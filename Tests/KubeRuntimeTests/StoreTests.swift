@testable import KubeRuntime
import KubeModel
import Testing

@Suite("Store")
struct StoreTests {
    func cm(_ name: String, rv: String, ns: String = "default", labels: [String: String]? = nil, owner: String? = nil) -> TestConfigMap {
        var c = TestConfigMap(namespace: ns, name: name, labels: labels)
        c.metadata.resourceVersion = rv
        c.metadata.uid = "uid-\(ns)-\(name)"
        if let owner {
            c.metadata.ownerReferences = [OwnerReference(apiVersion: "v1", kind: "X", name: "o", uid: owner, controller: true)]
        }
        return c
    }

    @Test("replace delivers only differences and syncs")
    func replaceDiffs() throws {
        let store = Store<TestConfigMap>()
        #expect(!store.hasSynced)
        let first = store.replace(with: [cm("a", rv: "1"), cm("b", rv: "2")])
        #expect(first.count == 2)
        #expect(store.hasSynced)
        let second = store.replace(with: [cm("a", rv: "1"), cm("b", rv: "5"), cm("c", rv: "6")])
        #expect(second.count == 2)
        let third = store.replace(with: [cm("c", rv: "6")])
        #expect(third.count == 2)
        for event in third {
            guard case .deleted = event else { Issue.record("expected deletes, got \(event)"); return }
        }
        #expect(store.keys == [ObjectKey(namespace: "default", name: "c")])
    }

    @Test("upsert of the same resourceVersion is not a change")
    func upsertSame() {
        let store = Store<TestConfigMap>()
        #expect(store.upsert(cm("a", rv: "1")) != nil)
        #expect(store.upsert(cm("a", rv: "1")) == nil)
        guard case .updated(let old, let new) = store.upsert(cm("a", rv: "2")) else {
            Issue.record("expected update"); return
        }
        #expect(old.metadata.resourceVersion == "1" && new.metadata.resourceVersion == "2")
        #expect(store.remove(cm("a", rv: "3")) != nil)
        #expect(store.remove(cm("a", rv: "3")) == nil)
    }

    @Test("indexes by namespace, owner and label follow updates and deletes")
    func indexes() {
        let store = Store<TestConfigMap>()
        _ = store.replace(with: [
            cm("a", rv: "1", ns: "x", labels: ["app": "web", "tier": "fe"], owner: "o1"),
            cm("b", rv: "2", ns: "x", labels: ["app": "web"], owner: "o1"),
            cm("c", rv: "3", ns: "y", labels: ["app": "db"], owner: "o2"),
        ])
        #expect(store.list(namespace: "x").map(\.metadata.name) == ["a", "b"])
        #expect(store.list(ownedBy: "o1").map(\.metadata.name) == ["a", "b"])
        #expect(store.list(labels: ["app": "web"]).map(\.metadata.name) == ["a", "b"])
        #expect(store.list(labels: ["app": "web", "tier": "fe"]).map(\.metadata.name) == ["a"])
        #expect(store.list(labels: ["app": "db"], namespace: "x").isEmpty)
        // Relabel b and move its owner.
        _ = store.upsert(cm("b", rv: "4", ns: "x", labels: ["app": "db"], owner: "o2"))
        #expect(store.list(labels: ["app": "web"]).map(\.metadata.name) == ["a"])
        #expect(store.list(ownedBy: "o2").map(\.metadata.name) == ["b", "c"])
        _ = store.remove(cm("a", rv: "5", ns: "x"))
        #expect(store.list(ownedBy: "o1").isEmpty)
        #expect(store.get(namespace: "y", name: "c")?.metadata.resourceVersion == "3")
        #expect(store.count == 2)
    }
}
