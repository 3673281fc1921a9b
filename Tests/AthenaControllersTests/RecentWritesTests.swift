import AthenaControllers
import Testing

@Suite("RecentWrites: own writes until the cache shows them")
struct RecentWritesTests {
    @Test("a create answers while the cache misses the object; the informer's event ends it")
    func create() {
        let writes = RecentWrites<String>()
        writes.remember("cm", before: nil, value: "created", version: "5")
        #expect(writes.pending("cm", cachedVersion: nil) == "created")
        #expect(writes.observed("cm", version: "5"), "the echo of our own create needs no reconcile")
        #expect(!writes.observed("cm", version: "6"), "someone else's change does")
        #expect(writes.pending("cm", cachedVersion: "5") == nil)
        #expect(writes.count == 0)
    }

    @Test("chained writes (finalizer patch, then status): the intermediate version is still stale")
    func chained() {
        let writes = RecentWrites<String>()
        writes.remember("app", before: "1", value: "patched", version: "2")
        writes.remember("app", before: "2", value: "status", version: "3")
        #expect(writes.pending("app", cachedVersion: "1") == "status")
        #expect(writes.observed("app", version: "2"))
        #expect(writes.pending("app", cachedVersion: "2") == "status")
        #expect(writes.observed("app", version: "3"))
        #expect(writes.pending("app", cachedVersion: "3") == nil)
    }

    @Test("someone else's newer version, a delete, or the lifetime ends an entry")
    func supersededByOthers() async throws {
        let writes = RecentWrites<String>(lifetime: .milliseconds(50))
        writes.remember("a", before: "1", value: "mine", version: "2")
        #expect(writes.pending("a", cachedVersion: "7") == nil, "the cache moved past the write")
        writes.remember("b", before: nil, value: "mine", version: "3")
        writes.observed("b", version: nil)
        writes.observed("b", version: "3")
        #expect(writes.pending("b", cachedVersion: nil) == nil, "created, seen, then deleted: the cache is right")
        writes.remember("c", before: nil, value: "mine", version: "4")
        try await Task.sleep(for: .milliseconds(80))
        #expect(writes.pending("c", cachedVersion: nil) == nil, "expired")
    }
}
