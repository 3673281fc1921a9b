import Foundation
import KubeTransport
import Testing

@Suite("LineFramer")
struct LineFramerTests {
    static let stream = #"{"type":"ADDED","object":{"n":1}}"# + "\n" + #"{"type":"MODIFIED","object":{"n":"ü2"}}"# + "\r\n"
        + #"{"type":"DELETED","object":{"n":3}}"# + "\n"
    static let expected = [
        #"{"type":"ADDED","object":{"n":1}}"#, #"{"type":"MODIFIED","object":{"n":"ü2"}}"#,
        #"{"type":"DELETED","object":{"n":3}}"#,
    ]

    static func run(_ chunks: [Data]) throws -> [String] {
        var framer = LineFramer()
        var lines: [String] = []
        for chunk in chunks { lines += try framer.append(chunk).map { String(decoding: $0, as: UTF8.self) } }
        if let last = framer.finish() { lines.append(String(decoding: last, as: UTF8.self)) }
        return lines
    }

    /// Every split point of the byte stream (including inside a multi-byte UTF-8 character).
    @Test func splitAtEveryByteBoundary() throws {
        let bytes = Data(Self.stream.utf8)
        for cut in 0...bytes.count {
            let lines = try Self.run([bytes.prefix(cut), bytes.dropFirst(cut)])
            #expect(lines == Self.expected, "split at byte \(cut)")
        }
    }

    @Test func oneByteAtATime() throws {
        let bytes = Data(Self.stream.utf8)
        #expect(try Self.run(bytes.map { Data([$0]) }) == Self.expected)
    }

    @Test func everyPairOfSplitPoints() throws {
        let bytes = Data(Self.stream.utf8)
        for first in stride(from: 0, through: bytes.count, by: 3) {
            for second in stride(from: first, through: bytes.count, by: 5) {
                let chunks = [bytes[..<first], bytes[first..<second], bytes[second...]].map { Data($0) }
                #expect(try Self.run(chunks) == Self.expected, "splits at \(first), \(second)")
            }
        }
    }

    @Test func severalLinesInOneChunk() throws {
        var framer = LineFramer()
        let lines = try framer.append(Data(Self.stream.utf8))
        #expect(lines.count == 3)
        #expect(framer.remainder.isEmpty)
    }

    @Test func trailingPartialLineIsKeptUntilFinish() throws {
        var framer = LineFramer()
        let lines = try framer.append(Data("{\"a\":1}\n{\"b\":".utf8))
        #expect(lines.map { String(decoding: $0, as: UTF8.self) } == ["{\"a\":1}"])
        #expect(String(decoding: framer.remainder, as: UTF8.self) == "{\"b\":")
        #expect(try framer.append(Data("2}".utf8)).isEmpty)
        #expect(framer.finish().map { String(decoding: $0, as: UTF8.self) } == "{\"b\":2}")
        #expect(framer.finish() == nil)
    }

    @Test func blankLinesAreSkipped() throws {
        #expect(try Self.run([Data("\n\r\n  \n{}\n\n".utf8)]) == ["{}"])
    }

    @Test func overlongLineIsAnError() {
        var framer = LineFramer(maxLineLength: 8)
        #expect(throws: LineFramer.LineTooLong.self) { try framer.append(Data("0123456789".utf8)) }
    }
}
