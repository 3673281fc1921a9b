import Foundation
import KubeClient
import KubeModel
import Testing

@Suite("WatchEventDecoder")
struct WatchEventDecoderTests {
    let decoder = WatchEventDecoder<Lease>(prepare: { lease in
        var lease = lease
        lease.kind = lease.kind ?? "Lease"
        return lease
    })

    func decode(_ text: String) throws(KubeError) -> WatchEvent<Lease> { try decoder.decode(Data(text.utf8)) }

    @Test func addedModifiedDeleted() throws {
        let object = #"{"metadata":{"name":"l","resourceVersion":"5"},"spec":{"holderIdentity":"a"}}"#
        guard case .added(let lease) = try decode(#"{"type":"ADDED","object":\#(object)}"#) else {
            Issue.record("not ADDED")
            return
        }
        #expect(lease.spec?.holderIdentity == "a")
        #expect(lease.kind == "Lease", "prepare is applied")
        guard case .modified = try decode(#"{"type":"MODIFIED","object":\#(object)}"#) else {
            Issue.record("not MODIFIED")
            return
        }
        guard case .deleted = try decode(#"{"type":"DELETED","object":\#(object)}"#) else {
            Issue.record("not DELETED")
            return
        }
    }

    @Test func bookmarkCarriesResourceVersion() throws {
        let event = try decode(#"{"type":"BOOKMARK","object":{"kind":"Lease","metadata":{"resourceVersion":"99"}}}"#)
        #expect(event == .bookmark(resourceVersion: "99"))
    }

    @Test func errorCarriesStatus() throws {
        let event = try decode(
            #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (50)","reason":"Expired","code":410}}"#
        )
        guard case .error(let status) = event else {
            Issue.record("not ERROR: \(event)")
            return
        }
        #expect(status.code == 410)
        #expect(status.reason == "Expired")
    }

    @Test(arguments: [
        "this is not json",
        #"{"type":"ADDED"}"#,
        #"{"type":"ADDED","object":{"metadata":{"name":5}}}"#,
        #"{"type":"EXPLODED","object":{}}"#,
    ])
    func garbageLinesNameTheLine(_ line: String) {
        do {
            _ = try decode(line)
            Issue.record("expected an error")
        } catch {
            guard case .decoding(let message) = error else {
                Issue.record("expected KubeError.decoding, got \(error)")
                return
            }
            #expect(message.contains(String(line.prefix(30))), "message should quote the line: \(message)")
        }
    }

    @Test func longGarbageIsTruncated() {
        let line = String(repeating: "x", count: 5000)
        do {
            _ = try decode(line)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".count < 600)
            #expect("\(error)".contains("…"))
        }
    }
}
