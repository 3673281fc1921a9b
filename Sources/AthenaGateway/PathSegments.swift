/// The non-empty `/`-separated segments of a request path, found without allocating: ranges
/// into the path in an inline array. A `[Substring]` per request was about 1% of the CPU of a
/// pass-through request.
///
/// No route has more than six segments, so at most seven are kept: `count` stops at seven, and
/// a longer path matches no route, as it should.
struct PathSegments: RandomAccessCollection {
    static let capacity = 7
    let path: String
    private(set) var endIndex = 0
    private var ranges: InlineArray<7, Range<String.Index>>

    var startIndex: Int { 0 }

    init(_ path: String) {
        self.path = path
        let utf8 = path.utf8
        ranges = InlineArray(repeating: utf8.startIndex..<utf8.startIndex)
        // Splits on bytes: String.split compares Characters (2% of a pass-through request).
        var start = utf8.startIndex
        var i = start
        while i != utf8.endIndex && endIndex < Self.capacity {
            if utf8[i] == UInt8(ascii: "/") {
                if start != i { append(start..<i) }
                start = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        if start != utf8.endIndex && endIndex < Self.capacity { append(start..<utf8.endIndex) }
    }

    private mutating func append(_ range: Range<String.Index>) {
        ranges[endIndex] = range
        endIndex += 1
    }

    subscript(position: Int) -> Substring {
        precondition(position >= 0 && position < endIndex, "path segment index out of range")
        return path[ranges[position]]
    }
}
