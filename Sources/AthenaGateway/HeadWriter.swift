#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import NIOCore

/// Where an HTTP head's pieces go: ``HeadLength`` counts them, ``ReservedBytes`` copies them.
///
/// Why: a head is a dozen short pieces, and each `ByteBuffer.writeString`/`writeStaticString`
/// re-checks capacity and uniqueness (about 150 instructions a piece, 2 400 per answer). The
/// head code is written once, generic over the sink, and run twice: into a ``HeadLength`` to
/// count, then into ``ReservedBytes`` over one region reserved with ``ByteBuffer/writeCounted(_:_:)``.
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

/// Copies bytes into memory reserved for exactly the count worked out beforehand: an HTTP head
/// (``HeadLength``) or a protobuf message (`EngineWire`'s sizes). Never writes past `capacity`:
/// a piece that would not fit traps instead (the count and the copy disagreeing is a bug).
struct ReservedBytes: HeadSink {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    private(set) var count = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) {
        base = buffer.baseAddress!
        capacity = buffer.count
    }

    private mutating func copy(_ bytes: UnsafeRawPointer, _ n: Int) {
        precondition(count + n <= capacity, "more bytes written than counted")
        if n > 0 { memcpy(base + count, bytes, n) }
        count += n
    }

    mutating func put(_ bytes: UnsafeRawBufferPointer) {
        if let start = bytes.baseAddress { copy(start, bytes.count) }
    }

    mutating func putByte(_ byte: UInt8) {
        precondition(count < capacity, "more bytes written than counted")
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    mutating func put(_ text: StaticString) { copy(text.utf8Start, text.utf8CodeUnitCount) }

    mutating func put(_ text: String) {
        let n = text.utf8.count
        precondition(count + n <= capacity, "more bytes written than counted")
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
        precondition(count + digits <= capacity, "more bytes written than counted")
        ASCIIBytes.storeDecimal(value, digits: digits, at: base + count)
        count += digits
    }
}

extension ByteBuffer {
    /// Reserves the bytes `length` counted and lets `write` copy exactly those into them: the
    /// caller runs the same generic head code into a ``HeadLength`` first, then into `write`'s
    /// ``ReservedBytes``.
    mutating func writeCounted(_ length: HeadLength, _ write: (inout ReservedBytes) -> Void) {
        writeReserved(length.count, write)
    }

    /// Reserves `count` bytes and lets `write` fill exactly those (fewer or more traps).
    mutating func writeReserved(_ count: Int, _ write: (inout ReservedBytes) -> Void) {
        guard count > 0 else { return }
        writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            var bytes = ReservedBytes(UnsafeMutableRawBufferPointer(rebasing: raw[..<count]))
            write(&bytes)
            precondition(bytes.count == count, "fewer bytes written than counted")
            return count
        }
    }
}
