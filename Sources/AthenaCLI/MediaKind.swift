/// The ASE data type and `encoding` of a file, guessed from its extension.
///
/// ASE payload items carry their data under a key named for the type (`text`, `image`, `audio`,
/// `video`) and say their `encoding`; this table is what `athena call --file` uses.
struct MediaKind: Sendable, Equatable {
    /// `text`, `image`, `audio` or `video`: also the JSON key of the base64 data.
    var dataType: String
    /// The ASE `encoding` value.
    var encoding: String

    /// The kind for a file name, or nil when the extension is unknown.
    static func forFile(_ name: String) -> MediaKind? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...].lowercased()
        if let encoding = images[ext] { return MediaKind(dataType: "image", encoding: encoding) }
        if let encoding = audio[ext] { return MediaKind(dataType: "audio", encoding: encoding) }
        if let encoding = video[ext] { return MediaKind(dataType: "video", encoding: encoding) }
        if texts.contains(ext) { return MediaKind(dataType: "text", encoding: "utf8") }
        return nil
    }

    /// A file extension for saving decoded data of this encoding.
    static func fileExtension(dataType: String, encoding: String?) -> String {
        let encoding = encoding?.lowercased() ?? ""
        switch dataType {
        case "text": return encoding == "json" ? "json" : "txt"
        case "image": return ["png", "jpg", "bmp", "gif", "webp", "tiff"].contains(encoding) ? encoding : "img"
        case "audio":
            let map = ["raw": "pcm", "lame": "mp3", "opus": "opus", "speex": "spx", "wav": "wav", "flac": "flac", "aac": "aac", "amr": "amr"]
            return map[encoding] ?? "audio"
        case "video": return encoding.isEmpty ? "video" : encoding
        default: return "bin"
        }
    }

    private static let images = ["png": "png", "jpg": "jpg", "jpeg": "jpg", "bmp": "bmp", "gif": "gif",
                                 "webp": "webp", "tif": "tiff", "tiff": "tiff"]
    private static let audio = ["pcm": "raw", "raw": "raw", "wav": "wav", "mp3": "lame", "opus": "opus",
                                "spx": "speex", "speex": "speex", "amr": "amr", "flac": "flac", "aac": "aac", "m4a": "aac"]
    private static let video = ["mp4": "mp4", "avi": "avi", "mov": "mov", "mkv": "mkv", "webm": "webm", "flv": "flv"]
    private static let texts: Set<String> = ["txt", "text", "json", "csv", "md", "xml", "html", "yaml", "yml"]
}
