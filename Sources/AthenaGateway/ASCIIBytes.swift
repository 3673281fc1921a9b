#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import NIOCore

/// Byte-level helpers for the HTTP/1.1 heads the gateway parses itself (client requests and
/// engine answers): header names and tokens are ASCII, compared without building Strings.
enum ASCIIBytes {
    /// Whether `bytes` equal the lower-case `literal`, ignoring ASCII case.
    ///
    /// Eight bytes at a time: header names and tokens are compared several times per request
    /// (both heads), and a byte loop was about 3% of a pass-through request's instructions.
    /// The length check is inlined at each call: most calls are a header name tried against a
    /// literal of another length.
    @inline(__always)
    static func equalsLowercase(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        bytes.count == literal.utf8CodeUnitCount && sameLowercase(bytes, literal)
    }

    /// ``equalsLowercase(_:_:)`` for bytes of the literal's length.
    private static func sameLowercase(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard n > 0, let base = bytes.baseAddress else { return true }
        let expected = UnsafeRawPointer(literal.utf8Start)
        var k = 0
        while k + 8 <= n {
            let word = base.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            // A byte ≥ 0x80 would carry into its neighbour below: such a word goes byte by byte.
            if word & 0x8080_8080_8080_8080 != 0 { break }
            // 0x80 in each byte from 0x41 ("A") to 0x5A ("Z"): x + 0x3F reaches 0x80 from "A" on,
            // x + 0x25 from one past "Z" on. Shifted to 0x20, it lowers exactly those bytes.
            let upper = (word &+ 0x3F3F_3F3F_3F3F_3F3F) & ~(word &+ 0x2525_2525_2525_2525) & 0x8080_8080_8080_8080
            if word | (upper >> 2) != expected.loadUnaligned(fromByteOffset: k, as: UInt64.self) { return false }
            k += 8
        }
        while k < n {
            var b = base.load(fromByteOffset: k, as: UInt8.self)
            if b >= 65 && b <= 90 { b += 32 }
            if b != expected.load(fromByteOffset: k, as: UInt8.self) { return false }
            k += 1
        }
        return true
    }

    /// The first offset in `bytes[from..<end]` holding a byte below `bound` (at most 0x80) or
    /// DEL (0x7F), or `end` if there is none. Eight bytes at a time: request targets and header
    /// values are checked for control bytes on every request, at 10 instructions a byte in a
    /// byte loop.
    static func firstControl(in bytes: UnsafeRawBufferPointer, from: Int, to end: Int, below bound: UInt8) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let bounds = ones &* UInt64(bound), dels = ones &* 0x7F
        var i = from
        while i + 8 <= end {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let del = word ^ dels
            // Below `bound` (bytes ≥ 0x80 never are), or zero after the XOR with DEL. The lowest
            // flagged byte is exact: a false flag can only sit above a true one.
            let flagged = ((word &- bounds) & ~word | (del &- ones) & ~del) & highs
            if flagged != 0 { return i + flagged.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < end {
            let b = bytes[i]
            if b < bound || b == 0x7F { return i }
            i += 1
        }
        return end
    }

    /// Whether `bytes` are exactly `literal`.
    static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        bytes.count == literal.utf8CodeUnitCount && (bytes.isEmpty || memcmp(bytes.baseAddress!, literal.utf8Start, bytes.count) == 0)
    }

    /// A header name (or method) as a String: the common ones, byte for byte as sent, are
    /// literals, which need neither UTF-8 validation nor storage (about 100 instructions each).
    /// A switch on the length, not a loop over a table: the loop cost 300 instructions more per
    /// request.
    static func token(_ bytes: UnsafeRawBufferPointer) -> String {
        switch bytes.count {
        case 3:
            if equals(bytes, "GET") { return "GET" }
        case 4:
            if equals(bytes, "POST") { return "POST" }
            if equals(bytes, "Host") { return "Host" }
            if equals(bytes, "host") { return "host" }
        case 6:
            if equals(bytes, "Accept") { return "Accept" }
            if equals(bytes, "accept") { return "accept" }
        case 10:
            if equals(bytes, "User-Agent") { return "User-Agent" }
            if equals(bytes, "user-agent") { return "user-agent" }
            if equals(bytes, "Connection") { return "Connection" }
            if equals(bytes, "connection") { return "connection" }
        case 12:
            if equals(bytes, "Content-Type") { return "Content-Type" }
            if equals(bytes, "content-type") { return "content-type" }
        case 14:
            if equals(bytes, "Content-Length") { return "Content-Length" }
            if equals(bytes, "content-length") { return "content-length" }
        default:
            break
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `text` starts with the lower-case `prefix`, ignoring ASCII case (a content type
    /// checked without `lowercased()`, which allocates for anything over 15 bytes). On the
    /// string's contiguous UTF-8: stepping `String.Index`es costs several times more per byte.
    static func hasPrefix(_ text: String, lowercase prefix: StaticString) -> Bool {
        hasAffix(text, prefix, atEnd: false)
    }

    /// Whether `text` ends with the lower-case `suffix`, ignoring ASCII case.
    static func hasSuffix(_ text: String, lowercase suffix: StaticString) -> Bool {
        hasAffix(text, suffix, atEnd: true)
    }

    private static func hasAffix(_ text: String, _ affix: StaticString, atEnd: Bool) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            let n = affix.utf8CodeUnitCount
            guard utf8.count >= n else { return false }
            let start = atEnd ? utf8.count - n : 0
            return equalsLowercase(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[start..<start + n]), affix)
        }
    }

    /// Whether a byte of `text` matches `predicate` (on its contiguous UTF-8, like ``hasPrefix(_:lowercase:)``).
    static func contains(_ text: String, where predicate: (UInt8) -> Bool) -> Bool {
        firstOffset(in: text, where: predicate) != nil
    }

    /// The byte offset of the first byte of `text` matching `predicate`, or `nil`.
    static func firstOffset(in text: String, where predicate: (UInt8) -> Bool) -> Int? {
        var text = text
        return text.withUTF8 { $0.firstIndex(where: predicate) }
    }

    /// A header value as a String; the most common one shares a literal's storage instead of
    /// allocating (Strings over 15 bytes live on the heap).
    static func headerValue(_ bytes: UnsafeRawBufferPointer) -> String {
        if bytes.count == 16, memcmp(bytes.baseAddress!, "application/json", 16) == 0 { return "application/json" }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `value` in decimal (a content-length, a status or error code) without making a
    /// String first.
    static func writeDecimal(_ value: Int, into buffer: inout ByteBuffer) {
        guard value >= 0 else {
            buffer.writeString(String(value))
            return
        }
        let digits = decimalDigits(value)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: digits) { out in
            storeDecimal(value, digits: digits, at: out.baseAddress!)
            return digits
        }
    }

    /// Bytes of `value` in decimal (with the sign when negative).
    static func decimalDigits(_ value: Int) -> Int {
        guard value >= 0 else { return String(value).utf8.count }
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        return digits
    }

    /// Stores the `digits` decimal digits of `value` (≥ 0) at `out`.
    static func storeDecimal(_ value: Int, digits: Int, at out: UnsafeMutableRawPointer) {
        var v = value
        for i in stride(from: digits - 1, through: 0, by: -1) {
            out.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10), toByteOffset: i, as: UInt8.self)
            v /= 10
        }
    }

    // MARK: - Finding line ends

    /// Offset of the first `byte` in `bytes[from..<end]` (`end` defaults to the end), or `nil`.
    /// `memchr`, which glibc vectorizes: heads are scanned several times each (head end, line
    /// ends, colons), and a byte-by-byte loop was a few percent of a pass-through request.
    static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from: Int, end: Int? = nil) -> Int? {
        let end = end ?? bytes.count
        guard from >= 0, from < end, end <= bytes.count, let base = bytes.baseAddress else { return nil }
        guard let hit = memchr(base + from, Int32(byte), end - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// Offset of the CR of the first CR LF at or after `from`, or `nil`.
    static func crlf(in bytes: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        var next = from + 1
        while let lf = firstIndex(of: 10, in: bytes, from: next) {
            if bytes[lf - 1] == 13 { return lf - 1 }
            next = lf + 1
        }
        return nil
    }

    /// Offset of the first CR LF CR LF at or after `from` (the end of an HTTP head), or `nil`.
    static func headEnd(in bytes: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        var next = from + 3
        while let lf = firstIndex(of: 10, in: bytes, from: next) {
            if bytes[lf - 1] == 13 && bytes[lf - 2] == 10 && bytes[lf - 3] == 13 { return lf - 3 }
            next = lf + 1
        }
        return nil
    }

    /// ``crlf(in:from:)`` over a buffer's readable bytes (offset from its reader index).
    static func crlf(in buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { crlf(in: $0) }
    }

    /// ``headEnd(in:from:)`` over a buffer's readable bytes (offsets from its reader index).
    static func headEnd(in buffer: ByteBuffer, from: Int = 0) -> Int? {
        buffer.withUnsafeReadableBytes { headEnd(in: $0, from: from) }
    }
}
