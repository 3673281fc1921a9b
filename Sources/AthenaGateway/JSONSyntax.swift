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
        // One loop over the bytes with the open containers on a stack (a bit each: object or
        // array), the index in a local: the recursive scanner it replaces spent about 60
        // instructions a byte of a small pass-through body, most of them in calls and in
        // reloading its index.
        withUnsafeTemporaryAllocation(of: Bool.self, capacity: maxDepth) { isObject in
            let checker = Checker(bytes: bytes, isObject: isObject.baseAddress!)
            do throws(Failure) {
                try checker.run()
                return nil
            } catch {
                return "\(error.message) at byte \(error.offset)"
            }
        }
    }

    /// Containers open at once, at most (a value nested deeper is refused).
    static let maxDepth = 512

    struct Failure: Error {
        var message: String
        var offset: Int
    }

    private struct Checker {
        let bytes: UnsafeRawBufferPointer
        /// Per open container, outermost first: object (true) or array (false).
        let isObject: UnsafeMutablePointer<Bool>

        func run() throws(Failure) {
            let n = bytes.count
            var i = 0
            var depth = 0
            i = skipSpace(i)
            value: while true {
                // A value starts at i (after any space).
                guard depth < JSONSyntax.maxDepth else { throw Failure(message: "nesting too deep", offset: i) }
                guard i < n else { throw Failure(message: "unexpected end of input", offset: i) }
                switch bytes[i] {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    let object = bytes[i] == UInt8(ascii: "{")
                    i = skipSpace(i + 1)
                    if i < n && bytes[i] == (object ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        i += 1  // empty: a value that ended
                    } else {
                        isObject[depth] = object
                        depth += 1
                        if object { i = try key(i) }
                        continue value
                    }
                case UInt8(ascii: "\""): i = try string(i)
                case UInt8(ascii: "t"): i = try literal("true", at: i)
                case UInt8(ascii: "f"): i = try literal("false", at: i)
                case UInt8(ascii: "n"): i = try literal("null", at: i)
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): i = try number(i)
                default: throw Failure(message: "unexpected character", offset: i)
                }
                // A value ended at i: close containers, or go on to the next member or element.
                while true {
                    i = skipSpace(i)
                    guard depth > 0 else {
                        if i != n { throw Failure(message: "unexpected data after the JSON value", offset: i) }
                        return
                    }
                    let object = isObject[depth - 1]
                    let b: UInt8? = i < n ? bytes[i] : nil
                    if b == UInt8(ascii: ",") {
                        i = object ? try key(i + 1) : skipSpace(i + 1)
                        continue value
                    }
                    guard b == (object ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                        throw Failure(message: object ? "expected ',' or '}'" : "expected ',' or ']'", offset: i)
                    }
                    depth -= 1
                    i += 1
                }
            }
        }

        @inline(__always)
        func skipSpace(_ from: Int) -> Int {
            var i = from
            while i < bytes.count {
                let b = bytes[i]
                guard b == 0x20 || b == 0x0a || b == 0x0d || b == 0x09 else { break }
                i += 1
            }
            return i
        }

        /// A member's key and its colon, from the space before the key; returns where its value starts.
        @inline(__always)
        func key(_ from: Int) throws(Failure) -> Int {
            var i = skipSpace(from)
            guard i < bytes.count && bytes[i] == UInt8(ascii: "\"") else { throw Failure(message: "expected a string key", offset: i) }
            i = skipSpace(try string(i))
            guard i < bytes.count && bytes[i] == UInt8(ascii: ":") else { throw Failure(message: "expected ':'", offset: i) }
            return skipSpace(i + 1)
        }

        func literal(_ word: StaticString, at i: Int) throws(Failure) -> Int {
            let count = word.utf8CodeUnitCount
            guard i + count <= bytes.count else { throw Failure(message: "unexpected end of input", offset: i) }
            guard memcmp(bytes.baseAddress! + i, word.utf8Start, count) == 0 else { throw Failure(message: "invalid literal", offset: i) }
            return i + count
        }

        /// The string whose opening quote is at `from`; returns the index after its closing quote.
        @inline(__always)
        func string(_ from: Int) throws(Failure) -> Int {
            let n = bytes.count
            var i = from + 1
            while true {
                i = JSONScanner.plainRunEnd(bytes, from: i)
                guard i < n else { throw Failure(message: "unterminated string", offset: n) }
                let b = bytes[i]
                i += 1
                switch b {
                case UInt8(ascii: "\""):
                    return i
                case UInt8(ascii: "\\"):
                    guard i < n else { throw Failure(message: "unterminated string", offset: i) }
                    let e = bytes[i]
                    i += 1
                    if e == UInt8(ascii: "u") {
                        guard i + 4 <= n else { throw Failure(message: "bad \\u escape", offset: i) }
                        for _ in 0..<4 {
                            let h = bytes[i]
                            guard (h >= 0x30 && h <= 0x39) || (h | 0x20 >= 0x61 && h | 0x20 <= 0x66) else {
                                throw Failure(message: "bad \\u escape", offset: i)
                            }
                            i += 1
                        }
                    } else {
                        switch e {
                        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                            break
                        default:
                            throw Failure(message: "bad escape", offset: i)
                        }
                    }
                default:  // a control character, the only other byte plainRunEnd stops at
                    throw Failure(message: "control character in string", offset: i)
                }
            }
        }

        @inline(__always)
        func number(_ from: Int) throws(Failure) -> Int {
            var i = from
            if bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, isDigit(bytes[i]) else { throw Failure(message: "bad number", offset: i) }
            if bytes[i] == 0x30 { i += 1 } else { i = digits(i) }
            if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard i < bytes.count, isDigit(bytes[i]) else { throw Failure(message: "bad number", offset: i) }
                i = digits(i)
            }
            if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
                i += 1
                if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
                guard i < bytes.count, isDigit(bytes[i]) else { throw Failure(message: "bad number", offset: i) }
                i = digits(i)
            }
            return i
        }

        @inline(__always)
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

        @inline(__always)
        func digits(_ from: Int) -> Int {
            var i = from
            while i < bytes.count && isDigit(bytes[i]) { i += 1 }
            return i
        }
    }
}
