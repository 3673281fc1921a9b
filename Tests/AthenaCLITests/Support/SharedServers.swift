import Foundation

/// Servers shared by read-only tests, started once per test process (each test awaits the same
/// start). They stop when the test process exits (their stdin closes).
actor SharedServers {
    static let shared = SharedServers()

    private var digits: Task<ServedApp, any Error>?

    /// `athena serve examples/digits --workers 2`.
    func digitsApp() async throws -> ServedApp {
        if let digits { return try await digits.value }
        let task = Task { try await ServedApp.start(app: TestPaths.repo("examples/digits"), workers: 2) }
        digits = task
        return try await task.value
    }
}

/// The bundled digits test images and the digit each shows.
enum DigitsTestData {
    /// Images with their labels: from `labels.json` when present (`{"file.png": 3}`), else the
    /// digit in the file name (`3.png`, `digit_3.png`, `digit-3-a.png`).
    static func images() throws -> [(path: String, digit: Int)] {
        let fm = FileManager.default
        let candidates = ["examples/digits/testdata", "examples/digits/test_data"].map(TestPaths.repo)
        guard let dir = candidates.first(where: { fm.fileExists(atPath: $0) }) else {
            throw TestFailure("no test images: expected examples/digits/testdata")
        }
        let names = try fm.contentsOfDirectory(atPath: dir).filter { $0.lowercased().hasSuffix(".png") }.sorted()
        var labels: [String: Int] = [:]
        if let data = fm.contents(atPath: dir + "/labels.json"),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            for (name, value) in object { if let n = value as? Int { labels[name] = n } }
        }
        let result = names.compactMap { name -> (String, Int)? in
            if let label = labels[name] { return (dir + "/" + name, label) }
            let stem = name.dropLast(4)
            let afterWord = stem.replacingOccurrences(of: "digit", with: "")
            guard let ch = afterWord.first(where: \.isNumber), let digit = ch.wholeNumberValue else { return nil }
            return (dir + "/" + name, digit)
        }
        guard !result.isEmpty else { throw TestFailure("no labelled .png images in \(dir)") }
        return result
    }

    /// Finds `{"digit": N, ...}` anywhere in a response: nested objects, arrays, JSON text and
    /// base64 of JSON text — whichever way a protocol carries the wrapper's result.
    static func findDigit(in value: Any?, depth: Int = 0) -> (digit: Int, score: Double?)? {
        guard depth < 12, let value else { return nil }
        if let object = value as? [String: Any] {
            if let digit = (object["digit"] as? NSNumber)?.intValue {
                return (digit, (object["score"] as? NSNumber)?.doubleValue)
            }
            for key in object.keys.sorted() {
                if let found = findDigit(in: object[key], depth: depth + 1) { return found }
            }
        } else if let array = value as? [Any] {
            for element in array {
                if let found = findDigit(in: element, depth: depth + 1) { return found }
            }
        } else if let text = value as? String {
            if let data = text.data(using: .utf8), let json = try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed),
               !(json is String) {
                return findDigit(in: json, depth: depth + 1)
            }
            if let data = Data(base64Encoded: text), let json = try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed) {
                return findDigit(in: json, depth: depth + 1)
            }
        }
        return nil
    }

    static func findDigit(inBody body: Data) -> (digit: Int, score: Double?)? {
        findDigit(in: try? JSONSerialization.jsonObject(with: body, options: .fragmentsAllowed))
    }
}
