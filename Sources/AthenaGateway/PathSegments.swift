/// The non-empty `/`-separated segments of a request path, found without allocating: byte
/// ranges into the path's UTF-8 in an inline array. A `[Substring]` per request was about 1% of
/// the CPU of a pass-through request, and walking `String.Index`es byte by byte about as much
/// again: the path is scanned as contiguous bytes, and routes compare segments with
/// ``segment(_:is:)`` (a `memcmp`), not `Substring == String`.
///
/// No route has more than six segments, so at most seven are kept: `count` stops at seven, and
/// a longer path matches no route, as it should.
struct PathSegments: RandomAccessCollection {
    static let capacity = 7
    let path: String
    private(set) var endIndex = 0
    /// Byte offsets into `path.utf8`.
    private var ranges: InlineArray<7, Range<Int>>

    var startIndex: Int { 0 }

    init(_ path: String) {
        self.path = path
        var ranges = InlineArray<7, Range<Int>>(repeating: 0..<0)
        var found = 0
        var bytes = path
        bytes.withUTF8 { utf8 in
            var start = 0
            var i = 0
            while i < utf8.count && found < Self.capacity {
                if utf8[i] == UInt8(ascii: "/") {
                    if start != i {
                        ranges[found] = start..<i
                        found += 1
                    }
                    start = i + 1
                }
                i += 1
            }
            if start < utf8.count && found < Self.capacity {
                ranges[found] = start..<utf8.count
                found += 1
            }
        }
        self.ranges = ranges
        self.endIndex = found
    }

    subscript(position: Int) -> Substring {
        precondition(position >= 0 && position < endIndex, "path segment index out of range")
        let range = ranges[position]
        // O(1) on a native (UTF-8) string; `/` is ASCII, so both ends fall on scalar boundaries.
        let utf8 = path.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        return path[lower..<utf8.index(lower, offsetBy: range.count)]
    }

    /// Whether segment `position` is exactly `literal` (byte for byte).
    func segment(_ position: Int, is literal: StaticString) -> Bool {
        precondition(position >= 0 && position < endIndex, "path segment index out of range")
        let range = ranges[position]
        guard range.count == literal.utf8CodeUnitCount else { return false }
        var text = path
        return text.withUTF8 { ASCIIBytes.equals(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer($0)[range]), literal) }
    }
}
