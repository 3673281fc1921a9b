import NIOCore
import KubeModel
import Foundation

/// Appends JSON straight into a `ByteBuffer`: responses are written once, without building an
/// intermediate tree or `Data`.
struct JSONWriter {
    var buffer: ByteBuffer

    init(capacity: Int = 256) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    mutating func raw(_ text: StaticString) {
        buffer.writeStaticString(text)
    }

    mutating func rawBytes(_ bytes: some Sequence<UInt8>) {
        buffer.writeBytes(bytes)
    }

    mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            // Most strings (ids, messages, descriptor values) need no escape: quotes and bytes
            // in one write, the bytes checked eight at a time.
            if JSONScanner.plainRunEnd(bytes, from: 0) == bytes.count {
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bytes.count + 2) { out in
                    out.storeBytes(of: UInt8(ascii: "\""), toByteOffset: 0, as: UInt8.self)
                    if let source = bytes.baseAddress { (out.baseAddress! + 1).copyMemory(from: source, byteCount: bytes.count) }
                    out.storeBytes(of: UInt8(ascii: "\""), toByteOffset: bytes.count + 1, as: UInt8.self)
                    return bytes.count + 2
                }
            } else {
                escaped(bytes)
            }
        }
    }

    /// `bytes` as a JSON string with its quotes, backslashes and control bytes escaped.
    private mutating func escaped(_ utf8: UnsafeRawBufferPointer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var runStart = 0
        for (i, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            if runStart < i { buffer.writeBytes(UnsafeRawBufferPointer(rebasing: utf8[runStart..<i])) }
            switch byte {
            case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            default:
                let hex = Array("0123456789abcdef".utf8)
                buffer.writeStaticString("\\u00")
                buffer.writeInteger(hex[Int(byte >> 4)])
                buffer.writeInteger(hex[Int(byte & 0xf)])
            }
            runStart = i + 1
        }
        if runStart < utf8.count { buffer.writeBytes(UnsafeRawBufferPointer(rebasing: utf8[runStart...])) }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    mutating func key(_ name: String) {
        string(name)
        buffer.writeInteger(UInt8(ascii: ":"))
    }

    mutating func int(_ value: Int) {
        ASCIIBytes.writeDecimal(value, into: &buffer)
    }

    mutating func comma() {
        buffer.writeInteger(UInt8(ascii: ","))
    }

    /// A base64 string of `data` (the client-side encoding of ASE payloads).
    mutating func base64(_ data: Data) {
        data.withUnsafeBytes { base64($0) }
    }

    /// A base64 string of `bytes`.
    mutating func base64(_ bytes: UnsafeRawBufferPointer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        Base64Bytes.encode(bytes, into: &buffer)
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// A value from a parsed document.
    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: raw("null")
        case .bool(let b): if b { raw("true") } else { raw("false") }
        case .number(let n):
            if n.rounded() == n, abs(n) < 9e15 { buffer.writeString(String(Int64(n))) } else { buffer.writeString(String(n)) }
        case .string(let s): string(s)
        case .array(let elements):
            raw("[")
            for (i, element) in elements.enumerated() {
                if i > 0 { comma() }
                self.value(element)
            }
            raw("]")
        case .object(let members):
            raw("{")
            for (i, (k, v)) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if i > 0 { comma() }
                key(k)
                self.value(v)
            }
            raw("}")
        }
    }
}

extension JSONValue {
    /// The text an engine parameter carries: strings as is, anything else as compact JSON.
    var parameterText: String {
        if case .string(let s) = self { return s }
        var writer = JSONWriter(capacity: 32)
        writer.value(self)
        return String(buffer: writer.buffer)
    }
}
