import Foundation
import KubeModel

/// Any Athena custom resource, decoded by its `kind`: what the CLI (`athena validate`,
/// `athena render`) and tests get from a file that may hold any of the three kinds.
public enum ServingObject: Sendable, Hashable {
    case application(AIApplication)
    case onlineService(OnlineService)
    case batchService(BatchService)

    /// Why a document could not be read as an Athena object.
    public struct DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
        /// Each problem with its path.
        public var errors: [FieldError]
        public var description: String { errors.summary }
    }

    /// The kinds this type reads.
    public static let kinds = [AIApplication.kind, OnlineService.kind, BatchService.kind]

    /// Decodes a JSON document (e.g. converted from YAML) by its `apiVersion` and `kind`. Type
    /// errors come back as field errors naming the path.
    public init(json: JSONValue) throws(DecodeError) {
        let apiVersion = json["apiVersion"]?.stringValue ?? ""
        let kind = json["kind"]?.stringValue ?? ""
        guard apiVersion == ServingAPI.apiVersion else {
            throw DecodeError(errors: [FieldError(
                FieldPath("apiVersion"), "expected \"\(ServingAPI.apiVersion)\" (got \"\(apiVersion)\")")])
        }
        do {
            let data = try json.serialized()
            let decoder = JSONDecoder()
            switch kind {
            case AIApplication.kind: self = .application(try decoder.decode(AIApplication.self, from: data))
            case OnlineService.kind: self = .onlineService(try decoder.decode(OnlineService.self, from: data))
            case BatchService.kind: self = .batchService(try decoder.decode(BatchService.self, from: data))
            default:
                throw DecodeError(errors: [.notSupported(FieldPath("kind"), kind, supported: Self.kinds)])
            }
        } catch let error as DecodeError {
            throw error
        } catch let error as DecodingError {
            throw DecodeError(errors: [FieldError(decoding: error)])
        } catch {
            throw DecodeError(errors: [FieldError(FieldPath(""), "\(error)")])
        }
    }

    /// The object's `kind`.
    public var kind: String {
        switch self {
        case .application: AIApplication.kind
        case .onlineService: OnlineService.kind
        case .batchService: BatchService.kind
        }
    }

    /// The object's metadata.
    public var metadata: ObjectMeta {
        switch self {
        case .application(let o): o.metadata
        case .onlineService(let o): o.metadata
        case .batchService(let o): o.metadata
        }
    }

    /// Every validation problem (defaults applied first).
    public func validate() -> [FieldError] {
        switch self {
        case .application(let o): o.validate()
        case .onlineService(let o): o.validate()
        case .batchService(let o): o.validate()
        }
    }
}
