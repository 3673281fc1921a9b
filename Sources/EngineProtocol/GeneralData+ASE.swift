// MARK: - ASE names for engine frames

/// The fully qualified name of the engine service, as health checks and logs name it.
public let engineServiceName = "athena.engine.v1.Engine"

extension Athena_Engine_V1_GeneralData.DataType {
    /// The ASE payload field that carries data of this type (`"text"`, `"audio"`, `"image"`, `"video"`).
    ///
    /// The gateway decodes that field's base64 into `GeneralData.data` and encodes results back
    /// under the same name, so both directions use this one mapping.
    public var payloadKey: String {
        switch self {
        case .text: "text"
        case .audio: "audio"
        case .image: "image"
        case .video: "video"
        case .UNRECOGNIZED: "text"
        }
    }

    /// The data type whose ASE payload field is `key`, or nil for any other field.
    public init?(payloadKey key: String) {
        switch key {
        case "text": self = .text
        case "audio": self = .audio
        case "image": self = .image
        case "video": self = .video
        default: return nil
        }
    }
}

extension Athena_Engine_V1_GeneralData.DataStatus {
    /// The status for an ASE `status` number (0 begin, 1 continue, 2 end, 3 once), nil when out of range.
    public init?(aseStatus value: Int) {
        switch value {
        case 0: self = .begin
        case 1: self = .continue
        case 2: self = .end
        case 3: self = .once
        default: return nil
        }
    }

    /// The ASE `status` number of this status.
    public var aseStatus: Int { rawValue }

    /// True for the statuses that close a data stream (END, ONCE).
    public var isFinal: Bool { self == .end || self == .once }
}
