#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import NIOCore

/// Where an HTTP head's pieces go: ``HeadLength`` counts them, ``HeadBytes`` copies them.
///
/// Why: a head is a dozen short pieces, and each `ByteBuffer.writeString`/`writeStaticString`
/// re-checks capacity and uniqueness (about 150 instructions a piece, 2 400 per answer). The
/// head code is written once, generic over the sink, and run twice: into a ``HeadLength`` to
/// count, then into ``HeadBytes`` over one region reserved with ``ByteBuffer/writeCounted(_:_:)``.
protocol HeadSink {
    mutating func put(_ text: StaticString)
    mutating func put(_ text: String)
    mutating func putDecimal(_ value: Int)
}

/// Counts the bytes a head will take.
struct HeadLength: HeadSink {
    var count = 0

    mutating func put(_ text: StaticString) { count += text.utf8CodeUnitCount }
    mutating func put(_ text: String) { count += text.utf8.count }
    mutating func putDecimal(_ value: Int) { count += ASCIIBytes.decimalDigits(value) }
}

/// Copies a head's bytes into memory reserved for exactly ``HeadLength``'s count. Never writes
/// past `capacity`: a piece that would not fit traps instead (the two passes disagreeing is a bug).
struct HeadBytes: HeadSink {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    private(set) var count = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) {
        base = buffer.baseAddress!
        capacity = buffer.count
    }

    private mutating func copy(_ bytes: UnsafeRawPointer, _ n: Int) {
        precondition(count + n <= capacity, "HTTP head larger than counted")
        if n > 0 { memcpy(base + count, bytes, n) }
        count += n
    }

    mutating func put(_ text: StaticString) { copy(text.utf8Start, text.utf8CodeUnitCount) }

    mutating func put(_ text: String) {
        let n = text.utf8.count
        precondition(count + n <= capacity, "HTTP head larger than counted")
        // `copyBytes` takes the string's contiguous UTF-8 directly (small strings included).
        UnsafeMutableRawBufferPointer(start: base + count, count: n).copyBytes(from: text.utf8)
        count += n
    }

    mutating func putDecimal(_ value: Int) {
        guard value >= 0 else {
            put(String(value))
            return
        }
        let digits = ASCIIBytes.decimalDigits(value)
        precondition(count + digits <= capacity, "HTTP head larger than counted")
        ASCIIBytes.storeDecimal(value, digits: digits, at: base + count)
        count += digits
    }
}

extension ByteBuffer {
    /// Reserves the bytes `length` counted and lets `write` copy exactly those into them: the
    /// caller runs the same generic head code into a ``HeadLength`` first, then into `write`'s
    /// ``HeadBytes``.
    mutating func writeCounted(_ length: HeadLength, _ write: (inout HeadBytes) -> Void) {
        let needed = length.count
        writeWithUnsafeMutableBytes(minimumWritableBytes: needed) { raw in
            var bytes = HeadBytes(UnsafeMutableRawBufferPointer(rebasing: raw[..<needed]))
            write(&bytes)
            precondition(bytes.count == needed, "HTTP head smaller than counted")
            return needed
        }
    }
}
