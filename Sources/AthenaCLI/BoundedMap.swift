/// Runs `body` over `items` with at most `concurrency` calls in flight and returns the results in
/// the items' order: a batch keeps the engine busy without flooding it, and its outputs (manifest
/// lines, result-file lines) stay in input order however the calls finish.
func boundedMap<T: Sendable, R: Sendable>(
    _ items: [T], concurrency: Int, _ body: @escaping @Sendable (Int, T) async -> R
) async -> [R] {
    var results = [R?](repeating: nil, count: items.count)
    await withTaskGroup(of: (Int, R).self) { group in
        var next = 0
        func startOne() {
            let index = next
            next += 1
            group.addTask { (index, await body(index, items[index])) }
        }
        while next < min(max(1, concurrency), items.count) { startOne() }
        for await (index, result) in group {
            results[index] = result
            if next < items.count { startOne() }
        }
    }
    return results.map { $0! }
}
