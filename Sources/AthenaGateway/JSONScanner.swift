import Foundation
import KubeModel
import NIOCore

/// A JSON reader over raw bytes (RFC 8259) that request codecs drive themselves: they walk the
/// document key by key, build `JSONValue`s only where they need a tree, and take large strings
/// (base64 payloads) as byte ranges that are decoded in place, never as `String`s.
///
/// Replaces Foundation's `JSONDecoder` on the request path, which cost most of the conversion
/// hop's codec time (generic `Decodable` machinery, a thrown error per failed type attempt).
/// Errors carry the byte offset; the caller turns them into 400 `malformed JSON` answers.
struct JSONScanner {
    struct Failure: Error {
        var message: String
        var offset: Int
        var description: String { "\(message) at byte \(offset)" }
    }

    /// A string as it appears in the document: its bytes between the quotes, still escaped.
    struct RawString {
        var start: Int
        var end: Int
        var hasEscapes: Bool
        var count: Int { end - start }
    }

    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// A whole document as a tree; bad syntax is a 400 `malformed JSON` gateway error.
    static func document(_ buffer: ByteBuffer) throws -> JSONValue {
        try buffer.withUnsafeReadableBytes { bytes in
            var scanner = JSONScanner(bytes: bytes)
            do throws(Failure) {
                let value = try scanner.value()
                try scanner.end()
                return value
            } catch {
                throw GatewayError(.malformedJSON, "malformed JSON: \(error.description)")
            }
        }
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    func fail(_ message: String) -> Failure { Failure(message: message, offset: index) }

    mutating func skipSpace() {
        while index < bytes.count {
            let b = bytes[index]
            guard b == 0x20 || b == 0x0a || b == 0x0d || b == 0x09 else { return }
            index += 1
        }
    }

    /// Checks that nothing but whitespace follows the document.
    mutating func end() throws(Failure) {
        skipSpace()
        if index != bytes.count { throw fail("unexpected data after the JSON value") }
    }

    // MARK: - Objects

    /// Consumes the `{` of an object; then call `nextKey(first:)` until it returns nil.
    mutating func beginObject() throws(Failure) {
        skipSpace()
        guard peek == UInt8(ascii: "{") else { throw fail("expected an object") }
        index += 1
    }

    /// The next member's key (its `:` consumed, the value is next), or nil after the closing `}`.
    /// `first` must start true for each object.
    mutating func nextKey(first: inout Bool) throws(Failure) -> String? {
        skipSpace()
        if first {
            first = false
            if peek == UInt8(ascii: "}") { index += 1; return nil }
        } else {
            if peek == UInt8(ascii: "}") { index += 1; return nil }
            guard peek == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
            index += 1
            skipSpace()
        }
        guard peek == UInt8(ascii: "\"") else { throw fail("expected a string key") }
        let key = try string()
        skipSpace()
        guard peek == UInt8(ascii: ":") else { throw fail("expected ':'") }
        index += 1
        skipSpace()
        return key
    }

    /// True when the next value is `null` (and consumes it).
    mutating func null() throws(Failure) -> Bool {
        skipSpace()
        guard peek == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    // MARK: - Values

    /// The next value as a tree.
    mutating func value(depth: Int = 0) throws(Failure) -> JSONValue {
        guard depth < 512 else { throw fail("nesting too deep") }
        skipSpace()
        guard let b = peek else { throw fail("unexpected end of input") }
        switch b {
        case UInt8(ascii: "{"):
            index += 1
            var members: [String: JSONValue] = [:]
            skipSpace()
            if peek == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let key = try string()
                skipSpace()
                guard peek == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                members[key] = try value(depth: depth + 1)
                skipSpace()
                if peek == UInt8(ascii: ",") { index += 1; continue }
                if peek == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            index += 1
            var elements: [JSONValue] = []
            skipSpace()
            if peek == UInt8(ascii: "]") { index += 1; return .array(elements) }
            while true {
                elements.append(try value(depth: depth + 1))
                skipSpace()
                if peek == UInt8(ascii: ",") { index += 1; continue }
                if peek == UInt8(ascii: "]") { index += 1; return .array(elements) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try number())
        default:
            throw fail("unexpected character")
        }
    }

    /// Consumes the next value without building it.
    mutating func skipValue() throws(Failure) {
        _ = try value()
    }

    // MARK: - Strings

    /// The next string's raw bytes (validated, not unescaped).
    mutating func rawString() throws(Failure) -> RawString {
        skipSpace()
        guard peek == UInt8(ascii: "\"") else { throw fail("expected a string") }
        index += 1
        let start = index
        var escapes = false
        while index < bytes.count {
            index = Self.plainRunEnd(bytes, from: index)
            guard index < bytes.count else { break }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return RawString(start: start, end: index - 1, hasEscapes: escapes)
            }
            if b == UInt8(ascii: "\\") {
                escapes = true
                index += 1
                guard let e = peek else { break }
                if e == UInt8(ascii: "u") {
                    guard index + 5 <= bytes.count else { throw fail("bad \\u escape") }
                    for i in 1...4 where Self.hexValue(bytes[index + i]) == nil { throw fail("bad \\u escape") }
                    index += 5
                } else if Self.simpleEscape(e) != nil {
                    index += 1
                } else {
                    throw fail("bad escape")
                }
                continue
            }
            throw fail("control character in string")  // the only other byte plainRunEnd stops at
        }
        throw fail("unterminated string")
    }

    /// The first offset from `index` on holding a byte a string cannot carry as it is (a quote,
    /// a backslash or a control character), or `bytes.count` if there is none.
    /// Eight bytes at a time: base64 payloads are most of a request, and a byte-at-a-time loop
    /// spent 20 instructions on each.
    @inline(__always)
    static func plainRunEnd(_ bytes: UnsafeRawBufferPointer, from index: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        var i = index
        while i + 8 <= bytes.count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let quote = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
            let backslash = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
            // A byte is flagged when it is zero (after the XOR) or below 0x20; bytes ≥ 0x80 never are.
            let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
            // The lowest flagged byte is exact (a false flag can only sit above a true one).
            let flagged = special & highs
            if flagged != 0 { return i + flagged.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < bytes.count {  // the last few bytes, one at a time
            let b = bytes[i]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { return i }
            i += 1
        }
        return i
    }

    /// The next string, unescaped.
    mutating func string() throws(Failure) -> String {
        let raw = try rawString()
        return text(raw)
    }

    /// The text of a raw string (escapes resolved; invalid UTF-8 replaced).
    func text(_ raw: RawString) -> String {
        let span = UnsafeRawBufferPointer(rebasing: bytes[raw.start..<raw.end])
        guard raw.hasEscapes else { return String(decoding: span, as: UTF8.self) }
        return String(decoding: Self.unescaped(span), as: UTF8.self)
    }

    /// The bytes of a raw string after resolving escapes (only called for strings that have some).
    static func unescaped(_ span: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(span.count)
        var i = 0
        var pendingHigh: UInt32?
        while i < span.count {
            let b = span[i]
            guard b == UInt8(ascii: "\\"), i + 1 < span.count else {
                out.append(b)
                i += 1
                continue
            }
            let e = span[i + 1]
            if e == UInt8(ascii: "u"), let scalar = hex4(span, at: i + 2) {
                i += 6
                if (0xD800...0xDBFF).contains(scalar) { pendingHigh = scalar; continue }
                var value = scalar
                if (0xDC00...0xDFFF).contains(scalar) {
                    guard let high = pendingHigh else { appendScalar(0xFFFD, to: &out); continue }
                    value = 0x10000 + ((high - 0xD800) << 10) + (scalar - 0xDC00)
                }
                pendingHigh = nil
                appendScalar(value, to: &out)
                continue
            }
            if pendingHigh != nil { appendScalar(0xFFFD, to: &out); pendingHigh = nil }
            out.append(simpleEscape(e) ?? e)
            i += 2
        }
        if pendingHigh != nil { appendScalar(0xFFFD, to: &out) }
        return out
    }

    private static func hex4(_ span: UnsafeRawBufferPointer, at i: Int) -> UInt32? {
        guard i + 4 <= span.count else { return nil }
        var value: UInt32 = 0
        for k in 0..<4 {
            guard let h = hexValue(span[i + k]) else { return nil }
            value = value << 4 | UInt32(h)
        }
        return value
    }

    private static func appendScalar(_ value: UInt32, to out: inout [UInt8]) {
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        out.append(contentsOf: String(Character(scalar)).utf8)
    }

    static func simpleEscape(_ e: UInt8) -> UInt8? {
        switch e {
        case UInt8(ascii: "\""): UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        case UInt8(ascii: "/"): UInt8(ascii: "/")
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0c
        case UInt8(ascii: "n"): 0x0a
        case UInt8(ascii: "r"): 0x0d
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
    }

    static func hexValue(_ h: UInt8) -> UInt8? {
        switch h {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): h - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): h - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): h - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: - Scalars

    mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("unexpected end of input") }
        for i in 0..<count where bytes[index + i] != word.utf8Start[i] { throw fail("invalid literal") }
        index += count
    }

    mutating func number() throws(Failure) -> Double {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, first >= 0x30 && first <= 0x39 else { throw fail("bad number") }
        if first == 0x30 { index += 1 } else { digits() }
        var integral = true
        if peek == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard let d = peek, d >= 0x30 && d <= 0x39 else { throw fail("bad number") }
            digits()
        }
        if let e = peek, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            integral = false
            index += 1
            if let s = peek, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { index += 1 }
            guard let d = peek, d >= 0x30 && d <= 0x39 else { throw fail("bad number") }
            digits()
        }
        // Small integers (nearly every number in a request) without going through text.
        if integral && index - start <= 15 {
            var value: Int64 = 0
            var negative = false
            for i in start..<index {
                let b = bytes[i]
                if b == UInt8(ascii: "-") { negative = true; continue }
                value = value * 10 + Int64(b - 0x30)
            }
            return Double(negative ? -value : value)
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text) else { throw Failure(message: "bad number", offset: start) }
        return value
    }

    private mutating func digits() {
        while let d = peek, d >= 0x30 && d <= 0x39 { index += 1 }
    }
}
