import Foundation
import NIOCore

/// A JSON syntax check over raw bytes (RFC 8259), without building any value: lets a
/// pass-through body (ModelArts JSON to an engine) be refused when malformed at a fraction of
/// the cost of parsing it.
enum JSONSyntax {
    /// `nil` when `buffer` holds exactly one valid JSON value, else what is wrong and where.
    static func problem(in buffer: ByteBuffer) -> String? {
        buffer.withUnsafeReadableBytes { problem(bytes: $0) }
    }

    /// `nil` when `data` holds exactly one valid JSON value.
    static func problem(in data: Data) -> String? {
        data.withUnsafeBytes { problem(bytes: $0) }
    }

    static func problem(bytes: UnsafeRawBufferPointer) -> String? {
        var scanner = Scanner(bytes: bytes)
        do throws(Failure) {
            scanner.skipSpace()
            try scanner.value(depth: 0)
            scanner.skipSpace()
            if scanner.index != bytes.count { throw Failure(message: "unexpected data after the JSON value", offset: scanner.index) }
            return nil
        } catch {
            return "\(error.message) at byte \(error.offset)"
        }
    }

    struct Failure: Error {
        var message: String
        var offset: Int
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let b = peek, b == 0x20 || b == 0x0a || b == 0x0d || b == 0x09 { index += 1 }
        }

        func fail(_ message: String) -> Failure { Failure(message: message, offset: index) }

        mutating func value(depth: Int) throws(Failure) {
            guard depth < 512 else { throw fail("nesting too deep") }
            guard let b = peek else { throw fail("unexpected end of input") }
            switch b {
            case UInt8(ascii: "{"):
                index += 1
                skipSpace()
                if peek == UInt8(ascii: "}") { index += 1; return }
                while true {
                    skipSpace()
                    guard peek == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                    try string()
                    skipSpace()
                    guard peek == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    index += 1
                    skipSpace()
                    try value(depth: depth + 1)
                    skipSpace()
                    if peek == UInt8(ascii: ",") { index += 1; continue }
                    if peek == UInt8(ascii: "}") { index += 1; return }
                    throw fail("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                index += 1
                skipSpace()
                if peek == UInt8(ascii: "]") { index += 1; return }
                while true {
                    skipSpace()
                    try value(depth: depth + 1)
                    skipSpace()
                    if peek == UInt8(ascii: ",") { index += 1; continue }
                    if peek == UInt8(ascii: "]") { index += 1; return }
                    throw fail("expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try number()
            default:
                throw fail("unexpected character")
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw fail("unexpected end of input") }
            for i in 0..<count where bytes[index + i] != word.utf8Start[i] { throw fail("invalid literal") }
            index += count
        }

        mutating func string() throws(Failure) {
            index += 1  // opening quote
            while let b = peek {
                index += 1
                switch b {
                case UInt8(ascii: "\""): return
                case UInt8(ascii: "\\"):
                    guard let e = peek else { throw fail("unterminated string") }
                    index += 1
                    if e == UInt8(ascii: "u") {
                        guard index + 4 <= bytes.count else { throw fail("bad \\u escape") }
                        for _ in 0..<4 {
                            let h = bytes[index]
                            guard (h >= 0x30 && h <= 0x39) || (h | 0x20 >= 0x61 && h | 0x20 <= 0x66) else { throw fail("bad \\u escape") }
                            index += 1
                        }
                    } else if !"\"\\/bfnrt".utf8.contains(e) {
                        throw fail("bad escape")
                    }
                case 0..<0x20:
                    throw fail("control character in string")
                default:
                    continue
                }
            }
            throw fail("unterminated string")
        }

        mutating func number() throws(Failure) {
            if peek == UInt8(ascii: "-") { index += 1 }
            guard let first = peek, first >= 0x30 && first <= 0x39 else { throw fail("bad number") }
            if first == 0x30 { index += 1 } else { digits() }
            if peek == UInt8(ascii: ".") {
                index += 1
                guard let d = peek, d >= 0x30 && d <= 0x39 else { throw fail("bad number") }
                digits()
            }
            if let e = peek, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                index += 1
                if let s = peek, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { index += 1 }
                guard let d = peek, d >= 0x30 && d <= 0x39 else { throw fail("bad number") }
                digits()
            }
        }

        mutating func digits() {
            while let d = peek, d >= 0x30 && d <= 0x39 { index += 1 }
        }
    }
}
