import Foundation
import NIOCore

/// Standard base64 (RFC 4648 §4) straight between JSON bytes and binary data: a payload is
/// decoded from its place in the request body and results are encoded into the response buffer,
/// without the intermediate `String`s that `Data(base64Encoded:)` / `base64EncodedString()` need.
enum Base64Bytes {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 0...63 for alphabet bytes, 0xFF otherwise.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// The bytes `text` encodes, or nil when it is not base64. Padding may be omitted; no
    /// whitespace or URL-safe letters (as `Data(base64Encoded:)`).
    static func decode(_ text: UnsafeRawBufferPointer) -> Data? {
        var length = text.count
        if length == 0 { return Data() }
        if length % 4 == 0 {
            if text[length - 1] == UInt8(ascii: "=") { length -= 1 }
            if text[length - 1] == UInt8(ascii: "=") { length -= 1 }
        }
        let remainder = length % 4
        guard remainder != 1 else { return nil }
        let outCount = length / 4 * 3 + (remainder == 0 ? 0 : remainder - 1)
        var out = Data(count: outCount)
        let ok = values.withUnsafeBufferPointer { table -> Bool in
            out.withUnsafeMutableBytes { (dst: UnsafeMutableRawBufferPointer) -> Bool in
                var i = 0, o = 0
                let whole = length - remainder
                while i < whole {
                    let a = table[Int(text[i])], b = table[Int(text[i + 1])], c = table[Int(text[i + 2])], d = table[Int(text[i + 3])]
                    guard (a | b | c | d) & 0xC0 == 0 else { return false }
                    let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    dst[o] = UInt8(truncatingIfNeeded: v >> 16)
                    dst[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    dst[o + 2] = UInt8(truncatingIfNeeded: v)
                    i += 4
                    o += 3
                }
                if remainder >= 2 {
                    let a = table[Int(text[i])], b = table[Int(text[i + 1])]
                    let c = remainder == 3 ? table[Int(text[i + 2])] : 0
                    guard (a | b | c) & 0xC0 == 0 else { return false }
                    let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
                    dst[o] = UInt8(truncatingIfNeeded: v >> 16)
                    if remainder == 3 { dst[o + 1] = UInt8(truncatingIfNeeded: v >> 8) }
                }
                return true
            }
        }
        return ok ? out : nil
    }

    /// Writes the base64 text of `data` (padded) into `buffer`.
    static func encode(_ data: Data, into buffer: inout ByteBuffer) {
        data.withUnsafeBytes { encode($0, into: &buffer) }
    }

    static func encode(_ src: UnsafeRawBufferPointer, into buffer: inout ByteBuffer) {
        let outCount = (src.count + 2) / 3 * 4
        guard outCount > 0 else { return }
        alphabet.withUnsafeBufferPointer { table in
            _ = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: outCount) { dst in
                var i = 0, o = 0
                let whole = src.count / 3 * 3
                while i < whole {
                    let v = UInt32(src[i]) << 16 | UInt32(src[i + 1]) << 8 | UInt32(src[i + 2])
                    dst[o] = table[Int(v >> 18 & 63)]
                    dst[o + 1] = table[Int(v >> 12 & 63)]
                    dst[o + 2] = table[Int(v >> 6 & 63)]
                    dst[o + 3] = table[Int(v & 63)]
                    i += 3
                    o += 4
                }
                let rest = src.count - whole
                if rest > 0 {
                    let v = UInt32(src[i]) << 16 | (rest == 2 ? UInt32(src[i + 1]) << 8 : 0)
                    dst[o] = table[Int(v >> 18 & 63)]
                    dst[o + 1] = table[Int(v >> 12 & 63)]
                    dst[o + 2] = rest == 2 ? table[Int(v >> 6 & 63)] : UInt8(ascii: "=")
                    dst[o + 3] = UInt8(ascii: "=")
                }
                return outCount
            }
        }
    }
}
