import Foundation

/// Reassembles newline-delimited records (a watch stream's JSON lines) from arbitrary chunks.
///
/// The network splits a watch stream wherever it likes: one chunk may end mid-object, another
/// may hold several objects. Feed every chunk to `append`; it returns the complete lines (without
/// the `\n`, a trailing `\r` removed, empty lines skipped) and keeps the partial tail.
public struct LineFramer: Sendable {
    private var buffer = Data()
    /// Lines longer than this are a protocol error, not something to buffer forever.
    public let maxLineLength: Int

    public init(maxLineLength: Int = 64 << 20) {
        self.maxLineLength = maxLineLength
    }

    /// Bytes received after the last newline.
    public var remainder: Data { buffer }

    /// Adds `chunk`, returning every line it completed, in order.
    public mutating func append(_ chunk: Data) throws(LineTooLong) -> [Data] {
        guard !chunk.isEmpty else { return [] }
        var lines: [Data] = []
        var start = chunk.startIndex
        while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var line = buffer
            line.append(chunk[start..<newline])
            buffer = Data()
            start = chunk.index(after: newline)
            if let trimmed = Self.trim(line) { lines.append(trimmed) }
        }
        buffer.append(chunk[start...])
        if buffer.count > maxLineLength { throw LineTooLong(limit: maxLineLength) }
        return lines
    }

    /// Ends the stream: the unterminated last line, if it holds anything.
    public mutating func finish() -> Data? {
        defer { buffer = Data() }
        return Self.trim(buffer)
    }

    private static func trim(_ line: Data) -> Data? {
        var line = Data(line)
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { return nil }
        return line
    }

    /// A line grew past `maxLineLength` without a newline.
    public struct LineTooLong: Error, Sendable, CustomStringConvertible {
        public var limit: Int
        public var description: String { "a line exceeded \(limit) bytes without a newline" }
    }
}
