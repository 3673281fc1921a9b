import KubeModel

/// One engine version behind a service (one AIApplication), with where its engines listen.
public struct VersionRoute: Codable, Sendable, Hashable {
    public var name: String
    /// The AIApplication this version serves; informational (logs, metrics, `/v2/models`).
    public var application: String?
    /// Share of traffic among versions when no rule matches (gray release).
    public var weight: Int
    public var `protocol`: EngineWireProtocol
    public var endpoints: RoutingTableEndpoints
    /// Concurrent requests per endpoint; 0 means unlimited.
    public var maxConcurrency: Int
    /// How to shape the request for a plain HTTP engine (`protocol: http`).
    public var http: HTTPEngineShape?
    /// Request/response schema; drives validation and `/openapi.json`.
    public var schema: RoutingTableSchema?
    /// How once requests queued behind calls in flight are batched (gRPC engines only).
    public var batching: EngineBatching

    public init(
        name: String, application: String? = nil, weight: Int = 100, protocol: EngineWireProtocol = .grpc,
        endpoints: RoutingTableEndpoints, maxConcurrency: Int = 0, http: HTTPEngineShape? = nil,
        schema: RoutingTableSchema? = nil, batching: EngineBatching = EngineBatching()
    ) {
        self.name = name
        self.application = application
        self.weight = weight
        self.protocol = `protocol`
        self.endpoints = endpoints
        self.maxConcurrency = maxConcurrency
        self.http = http
        self.schema = schema
        self.batching = batching
    }

    private enum CodingKeys: String, CodingKey {
        case name, application, weight, `protocol`, endpoints, maxConcurrency, http, schema, batching
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        application = try c.decodeIfPresent(String.self, forKey: .application)
        weight = try c.decodeIfPresent(Int.self, forKey: .weight) ?? 100
        `protocol` = try c.decodeIfPresent(EngineWireProtocol.self, forKey: .protocol) ?? .grpc
        endpoints = try c.decode(RoutingTableEndpoints.self, forKey: .endpoints)
        maxConcurrency = try c.decodeIfPresent(Int.self, forKey: .maxConcurrency) ?? 0
        http = try c.decodeIfPresent(HTTPEngineShape.self, forKey: .http)
        schema = try c.decodeIfPresent(RoutingTableSchema.self, forKey: .schema)
        batching = try c.decodeIfPresent(EngineBatching.self, forKey: .batching) ?? EngineBatching()
    }

    /// As synthesised, except that default batching is left out (tables stay as they were).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(application, forKey: .application)
        try c.encode(weight, forKey: .weight)
        try c.encode(`protocol`, forKey: .protocol)
        try c.encode(endpoints, forKey: .endpoints)
        try c.encode(maxConcurrency, forKey: .maxConcurrency)
        try c.encodeIfPresent(http, forKey: .http)
        try c.encodeIfPresent(schema, forKey: .schema)
        if batching != EngineBatching() { try c.encode(batching, forKey: .batching) }
    }
}

/// Adaptive batching of once requests to one gRPC engine endpoint (`athena.engine.v1`
/// `InferBatch`). A request goes out at once, alone, while fewer than `maxCallsInFlight` calls
/// are in flight to its engine; the requests that arrive while all of them are busy wait and go
/// out together, up to `maxBatchSize` in one call, as soon as one finishes. An idle engine thus
/// sees no added latency, and a busy one pays one call's overhead for many requests.
/// `maxBatchSize: 1` turns it off (every request its own call, unbounded calls in flight), as
/// does an engine that answers `InferBatch` with UNIMPLEMENTED.
///
/// When a call that carried a batch ends and fewer requests wait than it carried (its clients
/// have not sent their next requests yet), the freed slot waits for them, at most
/// `maxDelayMicroseconds` and at most the longer of half the call's own duration and 1.5 times
/// the time the batches' clients have lately taken to come back: otherwise the first to come
/// back would go out alone and the others as a smaller batch, and a closed loop of clients
/// would stay split into small alternating batches, paying the engine's per-call cost for each.
/// `maxDelayMicroseconds: 0` never waits.
///
/// Why one call in flight by default: a Python engine runs one request at a time anyway (the
/// GIL), and a second concurrent call only adds grpcio thread hand-offs; measured with the
/// digits example, 2 → 1 took the engines from ~590 to ~450 µs of CPU per request at 64
/// connections. Engines that wait on I/O (a wrapper calling a remote service) want more.
public struct EngineBatching: Codable, Sendable, Hashable {
    public var maxBatchSize: Int
    /// Calls in flight to one engine endpoint (over all of the gateway's connections to it).
    public var maxCallsInFlight: Int

    /// Longest a freed call slot waits for the requests of the batch it just answered (µs).
    public var maxDelayMicroseconds: Int

    /// Accepted values (routing table, AIApplication `runtime.batching`, `athena serve` flags).
    public static let batchSizeRange = 1...1024
    public static let callsInFlightRange = 1...256
    public static let delayMicrosecondsRange = 0...1_000_000

    public init(maxBatchSize: Int = 32, maxCallsInFlight: Int = 1, maxDelayMicroseconds: Int = 2000) {
        self.maxBatchSize = maxBatchSize
        self.maxCallsInFlight = maxCallsInFlight
        self.maxDelayMicroseconds = maxDelayMicroseconds
    }

    public var enabled: Bool { maxBatchSize > 1 }

    private enum CodingKeys: String, CodingKey { case maxBatchSize, maxCallsInFlight, maxDelayMicroseconds }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = EngineBatching()
        maxBatchSize = try c.decodeIfPresent(Int.self, forKey: .maxBatchSize) ?? defaults.maxBatchSize
        maxCallsInFlight = try c.decodeIfPresent(Int.self, forKey: .maxCallsInFlight) ?? defaults.maxCallsInFlight
        maxDelayMicroseconds = try c.decodeIfPresent(Int.self, forKey: .maxDelayMicroseconds) ?? defaults.maxDelayMicroseconds
    }

    func problems(at path: String) -> [String] {
        var problems: [String] = []
        let sizes = Self.batchSizeRange, calls = Self.callsInFlightRange
        if !sizes.contains(maxBatchSize) { problems.append("\(path).maxBatchSize: must be \(sizes.lowerBound)...\(sizes.upperBound)") }
        if !calls.contains(maxCallsInFlight) { problems.append("\(path).maxCallsInFlight: must be \(calls.lowerBound)...\(calls.upperBound)") }
        let delays = Self.delayMicrosecondsRange
        if !delays.contains(maxDelayMicroseconds) { problems.append("\(path).maxDelayMicroseconds: must be \(delays.lowerBound)...\(delays.upperBound)") }
        return problems
    }
}

/// How the gateway talks to an engine.
public enum EngineWireProtocol: String, Codable, Sendable, Hashable {
    /// The Athena engine protocol (`athena.engine.v1`) over gRPC.
    case grpc
    /// A plain HTTP engine taking JSON or multipart.
    case http
}

/// Where a version's engines listen: a fixed list, or a DNS name (a headless Service) re-resolved
/// periodically so new pods join without a new file.
public struct RoutingTableEndpoints: Codable, Sendable, Hashable {
    /// `host:port` strings.
    public var `static`: [String]?
    public var dns: DNSEndpoints?

    public init(static addresses: [String]? = nil, dns: DNSEndpoints? = nil) {
        self.static = addresses
        self.dns = dns
    }

    /// A headless Service name, the engine port and how often to resolve it again.
    public struct DNSEndpoints: Codable, Sendable, Hashable {
        public var name: String
        public var port: Int
        public var refreshSeconds: Double?

        public init(name: String, port: Int, refreshSeconds: Double? = nil) {
            self.name = name
            self.port = port
            self.refreshSeconds = refreshSeconds
        }
    }

    func problems(at path: String) -> [String] {
        switch (`static`, dns) {
        case (nil, nil): return ["\(path): set static or dns"]
        case (.some, .some): return ["\(path): set only one of static and dns"]
        case (.some(let list), nil):
            if list.isEmpty { return ["\(path).static: at least one host:port"] }
            return list.enumerated().compactMap { i, address in
                HostPort(parsing: address) == nil ? "\(path).static[\(i)]: expected host:port, got \(address)" : nil
            }
        case (nil, .some(let dns)):
            var problems: [String] = []
            if dns.name.isEmpty { problems.append("\(path).dns.name: must not be empty") }
            if !(1...65535).contains(dns.port) { problems.append("\(path).dns.port: must be 1...65535") }
            return problems
        }
    }
}

/// A parsed `host:port` (IPv6 hosts in brackets: `[::1]:50051`).
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`; `nil` when the port is missing or out of range.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            return nil
        }
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The request a plain HTTP engine expects.
public struct HTTPEngineShape: Codable, Sendable, Hashable {
    public var path: String
    public var method: String
    /// `application/json` (one JSON body) or `multipart/form-data` (one part per payload item).
    public var contentType: String
    /// GET path answering 200 when the engine is ready.
    public var healthPath: String?

    public init(path: String = "/", method: String = "POST", contentType: String = "application/json", healthPath: String? = nil) {
        self.path = path
        self.method = method
        self.contentType = contentType
        self.healthPath = healthPath
    }

    private enum CodingKeys: String, CodingKey { case path, method, contentType, healthPath }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decodeIfPresent(String.self, forKey: .path) ?? "/"
        method = try c.decodeIfPresent(String.self, forKey: .method) ?? "POST"
        contentType = try c.decodeIfPresent(String.self, forKey: .contentType) ?? "application/json"
        healthPath = try c.decodeIfPresent(String.self, forKey: .healthPath)
    }
}

/// A version's request/response description (JSON Schema subset, see `APISchema`).
public struct RoutingTableSchema: Codable, Sendable, Hashable {
    /// Schema of the ASE `parameter` object.
    public var parameter: JSONValue?
    /// Schema of the ASE `payload` object (items before base64 decoding).
    public var payload: JSONValue?
    /// Schema of the response `payload`.
    public var response: JSONValue?
    /// ModelArts `config.json` `apis`; `apis[0].request.data` validates `/v1/infers` JSON bodies.
    public var apis: JSONValue?

    public init(parameter: JSONValue? = nil, payload: JSONValue? = nil, response: JSONValue? = nil, apis: JSONValue? = nil) {
        self.parameter = parameter
        self.payload = payload
        self.response = response
        self.apis = apis
    }
}
