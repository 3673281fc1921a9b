/// Byte-level helpers for the HTTP/1.1 heads the gateway parses itself (client requests and
/// engine answers): header names and tokens are ASCII, compared without building Strings.
enum ASCIIBytes {
    /// Whether `bytes` equal the lower-case `literal`, ignoring ASCII case.
    static func equalsLowercase(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let expected = literal.utf8Start
        for k in 0..<bytes.count {
            var b = bytes[k]
            if b >= 65 && b <= 90 { b += 32 }
            if b != expected[k] { return false }
        }
        return true
    }
}
