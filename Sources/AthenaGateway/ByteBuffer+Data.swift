import Foundation
import NIOCore

extension ByteBuffer {
    /// Runs `body` over the readable bytes as `Data` without copying them; the `Data` must not
    /// escape `body` (JSONDecoder copies what it keeps).
    func withDataView<T>(_ body: (Data) throws -> T) rethrows -> T {
        try withUnsafeReadableBytes { raw in
            guard let base = raw.baseAddress, raw.count > 0 else { return try body(Data()) }
            return try body(Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: raw.count, deallocator: .none))
        }
    }

    /// The readable bytes copied into `Data` (what protobuf `bytes` fields hold).
    var data: Data {
        withUnsafeReadableBytes { Data($0) }
    }
}

extension Optional where Wrapped == ByteBuffer {
    /// `input` behind the bytes kept from earlier reads (a message cut across reads), which are
    /// taken; `input` itself when nothing was kept.
    mutating func takeJoined(with input: ByteBuffer) -> ByteBuffer {
        guard var earlier = self else { return input }
        self = nil
        var input = input
        earlier.writeBuffer(&input)
        return earlier
    }
}

extension JSONDecoder {
    /// Decodes from a `ByteBuffer` without copying it first.
    func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        try buffer.withDataView { try decode(type, from: $0) }
    }
}
