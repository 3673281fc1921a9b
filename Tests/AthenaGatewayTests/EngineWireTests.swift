@testable import AthenaGateway
import EngineProtocol
import Foundation
import NIOCore
import SwiftProtobuf
import Testing

@Suite("EngineWire: the hand-written protobuf codec agrees with the generated one")
struct EngineWireTests {
    static let request = EngineRequest(
        sid: "sid-1", service: "digits", parameters: ["top_k": "3", "accept": #"{"encoding":"utf8"}"#, "empty": ""],
        headers: ["app_id": "a1", "uid": "ü"],
        items: [
            EngineItem(dataID: "image", frameID: 7, kind: .image, status: .once, descArgs: ["encoding": "png"], data: Data((0..<300).map { UInt8($0 & 0xff) })),
            EngineItem(dataID: "text", kind: .text, status: .begin, data: Data()),
        ])

    @Test("a request written by EngineWire reads back with swift-protobuf, field by field")
    func requestMatchesGenerated() throws {
        var framed = EngineWire.framedRequest(Self.request)
        #expect(framed.readInteger(as: UInt8.self) == 0)
        let length = framed.readInteger(as: UInt32.self) ?? 0
        #expect(Int(length) == framed.readableBytes)
        let decoded = try Athena_Engine_V1_InferRequest(serializedBytes: Array(framed.readableBytesView))
        #expect(decoded.requestID == "sid-1")
        #expect(decoded.serviceID == "digits")
        #expect(decoded.params == Self.request.parameters)
        #expect(decoded.headers == Self.request.headers)
        #expect(decoded.data.count == 2)
        #expect(decoded.data[0].dataID == "image")
        #expect(decoded.data[0].frameID == 7)
        #expect(decoded.data[0].dataType == .image)
        #expect(decoded.data[0].status == .once)
        #expect(decoded.data[0].descArgs == ["encoding": "png"])
        #expect(decoded.data[0].data == Self.request.items[0].data)
        #expect(decoded.data[1].dataID == "text")
        #expect(decoded.data[1].status == .begin)
        #expect(decoded.data[1].data.isEmpty)
    }

    @Test("a batch request written by EngineWire reads back with swift-protobuf: every request, in order")
    func batchRequestMatchesGenerated() throws {
        var second = Self.request
        second.sid = "sid-2"
        second.items = []
        var framed = EngineWire.framedBatchRequest([Self.request, second, Self.request])
        #expect(framed.readInteger(as: UInt8.self) == 0)
        #expect(Int(framed.readInteger(as: UInt32.self) ?? 0) == framed.readableBytes)
        let decoded = try Athena_Engine_V1_InferBatchRequest(serializedBytes: Array(framed.readableBytesView))
        #expect(decoded.requests.map(\.requestID) == ["sid-1", "sid-2", "sid-1"])
        #expect(decoded.requests[0].data.map(\.data) == Self.request.items.map(\.data))
        #expect(decoded.requests[1].data.isEmpty)
        #expect(decoded.requests[2].params == Self.request.parameters)
    }

    @Test("a batch response written by swift-protobuf reads back with EngineWire, one response each, in order")
    func batchResponseMatchesGenerated() throws {
        var ok = Athena_Engine_V1_InferResponse()
        var item = Athena_Engine_V1_GeneralData()
        item.dataID = "result"
        item.data = Data("fine".utf8)
        ok.data = [item]
        var failed = Athena_Engine_V1_InferResponse()
        failed.code = 30003
        failed.message = "boom"
        var batch = Athena_Engine_V1_InferBatchResponse()
        batch.responses = [ok, failed, Athena_Engine_V1_InferResponse()]
        let decoded = try EngineWire.decodeBatchResponse(ByteBuffer(bytes: try batch.serializedBytes() as [UInt8]))
        #expect(decoded.map(\.code) == [0, 30003, 0])
        #expect(decoded[0].items.first?.data == Data("fine".utf8))
        #expect(decoded[1].message == "boom")
        #expect(decoded[2].items.isEmpty)
        #expect(try EngineWire.decodeBatchResponse(ByteBuffer()).isEmpty)
    }

    @Test("a response written by swift-protobuf reads back with EngineWire (negative code, unknown fields skipped)")
    func responseMatchesGenerated() throws {
        var response = Athena_Engine_V1_InferResponse()
        response.code = -5
        response.message = "naïve"
        response.status = .end
        response.requestID = "r"
        var item = Athena_Engine_V1_GeneralData()
        item.dataID = "result"
        item.frameID = 300
        item.dataType = .audio
        item.status = .continue
        item.descArgs = ["encoding": "raw", "sample_rate": "16000"]
        item.data = Data(repeating: 0xab, count: 70_000)
        response.data = [item, Athena_Engine_V1_GeneralData()]
        var bytes: [UInt8] = try response.serializedBytes()
        bytes += [0x98, 0x06, 0x01]  // field 99, varint 1: unknown to both
        let decoded = try EngineWire.decodeResponse(ByteBuffer(bytes: bytes))
        #expect(decoded.code == -5)
        #expect(decoded.message == "naïve")
        #expect(decoded.items.count == 2)
        #expect(decoded.items[0] == EngineItem(dataID: "result", frameID: 300, kind: .audio, status: .continue,
                                               descArgs: ["encoding": "raw", "sample_rate": "16000"], data: item.data))
        #expect(decoded.items[1] == EngineItem(dataID: "", kind: .text, status: .begin, data: Data()))

        let ok = try EngineWire.decodeResponse(ByteBuffer())
        #expect(ok.code == 0 && ok.message == "success" && ok.items.isEmpty)
    }

    @Test("truncated or malformed protobuf is an error, not a crash", arguments: [
        [0x0a, 0x05, 0x61],           // string field longer than the message
        [0x08],                       // varint cut short
        [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],  // overlong varint
        [0x00, 0x01],                 // field number 0
        [0x1b],                       // group wire type
        [0x1a, 0x03, 0x0a, 0x09, 0x61],  // nested item truncated
    ] as [[UInt8]])
    func malformed(_ bytes: [UInt8]) {
        #expect(throws: EngineWire.DecodeError.self) { try EngineWire.decodeResponse(ByteBuffer(bytes: bytes)) }
    }

    @Test("health check request and status")
    func health() throws {
        var framed = EngineWire.framedHealthCheck(service: "athena.engine.v1.Engine")
        framed.moveReaderIndex(forwardBy: 5)
        let request = try Grpc_Health_V1_HealthCheckRequest(serializedBytes: Array(framed.readableBytesView))
        #expect(request.service == "athena.engine.v1.Engine")
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = .serving
        #expect(try EngineWire.healthStatus(ByteBuffer(bytes: try response.serializedBytes() as [UInt8])) == 1)
        #expect(try EngineWire.healthStatus(ByteBuffer()) == 0)
    }

    @Test("grpc-timeout and grpc-message helpers")
    func headers() {
        #expect(GRPCStreamHandler.timeoutHeader(.milliseconds(40_000)) == "40S")
        #expect(GRPCStreamHandler.timeoutHeader(.milliseconds(39_001)) == "40S")
        #expect(GRPCStreamHandler.timeoutHeader(.milliseconds(250)) == "250m")
        #expect(GRPCStreamHandler.timeoutHeader(.nanoseconds(10)) == "1m")
        #expect(GRPCStreamHandler.timeoutHeader(.hours(100)) == "360000S")
        #expect(GRPCStreamHandler.percentDecoded("bad%20thing%3A%20%C3%BC") == "bad thing: ü")
        #expect(GRPCStreamHandler.percentDecoded("100%") == "100%")
    }
}
