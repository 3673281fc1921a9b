import Foundation
import KubeModel

/// How a result item reads inside a JSON response (ModelArts, KServe, OIP): JSON results are
/// embedded as JSON, text as a string, anything else as `{"b64": "..."}`.
enum ResultValue {
    static func write(_ item: EngineItem, into w: inout JSONWriter) {
        let data = item.data
        if looksLikeJSON(data), JSONSyntax.problem(in: data) == nil {
            w.rawBytes(data)
        } else if let text = String(data: data, encoding: .utf8), item.kind == .text {
            w.string(text)
        } else {
            w.raw("{\"b64\":")
            w.base64(data)
            w.raw("}")
        }
    }

    /// Writes the items as one value: the single item's value, or an object keyed by data id.
    static func writeItems(_ items: [EngineItem], into w: inout JSONWriter) {
        if items.count == 1 {
            write(items[0], into: &w)
            return
        }
        w.raw("{")
        for (i, item) in items.enumerated() {
            if i > 0 { w.comma() }
            w.key(item.dataID)
            write(item, into: &w)
        }
        w.raw("}")
    }

    private static func looksLikeJSON(_ data: Data) -> Bool {
        guard let first = data.first(where: { $0 != 0x20 && $0 != 0x0a && $0 != 0x0d && $0 != 0x09 }) else { return false }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }
}
