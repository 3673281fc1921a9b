import Foundation
import KubeModel

/// Decodes one line of a watch stream, `{"type": "ADDED", "object": {...}}`, into a
/// `WatchEvent`. Pure, so it is tested by table; a line it cannot read gives a
/// `KubeError.decoding` that quotes the line (truncated).
public struct WatchEventDecoder<T: Decodable & Sendable>: Sendable {
    private let prepare: @Sendable (T) -> T

    /// - Parameter prepare: applied to every decoded object (e.g. filling `apiVersion`/`kind`).
    public init(prepare: @escaping @Sendable (T) -> T = { $0 }) {
        self.prepare = prepare
    }

    private struct Envelope<O: Decodable>: Decodable {
        var type: String
        var object: O
    }

    private struct Kind: Decodable {
        var type: String
    }

    private struct Bookmark: Decodable {
        struct Metadata: Decodable { var resourceVersion: String? }
        var metadata: Metadata?
    }

    public func decode(_ line: Data) throws(KubeError) -> WatchEvent<T> {
        let decoder = JSONDecoder()
        do {
            let kind = try decoder.decode(Kind.self, from: line)
            switch kind.type {
            case "ADDED": return .added(prepare(try decoder.decode(Envelope<T>.self, from: line).object))
            case "MODIFIED": return .modified(prepare(try decoder.decode(Envelope<T>.self, from: line).object))
            case "DELETED": return .deleted(prepare(try decoder.decode(Envelope<T>.self, from: line).object))
            case "BOOKMARK":
                let bookmark = try decoder.decode(Envelope<Bookmark>.self, from: line).object
                return .bookmark(resourceVersion: bookmark.metadata?.resourceVersion ?? "")
            case "ERROR":
                return .error(try decoder.decode(Envelope<Status>.self, from: line).object)
            default:
                throw KubeError.decoding("watch event of unknown type \"\(kind.type)\": \(Self.excerpt(line))")
            }
        } catch let error as KubeError {
            throw error
        } catch let error as DecodingError {
            throw .decoding("undecodable watch line (\(KubeConfig.describe(error))): \(Self.excerpt(line))")
        } catch {
            throw .decoding("undecodable watch line (\(error)): \(Self.excerpt(line))")
        }
    }

    /// The line as text, cut at 200 characters.
    static func excerpt(_ line: Data) -> String {
        let text = String(decoding: line.prefix(201), as: UTF8.self)
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
