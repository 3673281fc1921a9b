/// `athena batch --shard I/N`: this run's part of a batch split over N runs, such as the pods of a
/// Kubernetes indexed Job (pod I passes `--shard $JOB_COMPLETION_INDEX/N`).
///
/// The runs do not talk to each other: each lists the same inputs in the same order
/// (``BatchInputs/list(_:)`` is deterministic) and keeps the positions p with p % N == I, so the N
/// shards are disjoint and together cover every input. Round-robin rather than contiguous ranges
/// keeps the shard sizes within one of each other without knowing the count in advance.
struct BatchShard: Sendable, Hashable, CustomStringConvertible {
    /// This run's shard, 0 ≤ index < count.
    var index: Int
    /// How many shards the batch is split into, ≥ 1.
    var count: Int

    init(index: Int, count: Int) throws {
        guard count >= 1 else {
            throw CLIError("--shard \(index)/\(count): N must be at least 1", exitCode: 2)
        }
        guard (0..<count).contains(index) else {
            throw CLIError("--shard \(index)/\(count): I must be between 0 and \(count - 1)", exitCode: 2)
        }
        self.index = index
        self.count = count
    }

    /// Parses `I/N`; anything else is a usage error (exit code 2) that says what was expected.
    init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Self.number(parts[0]), let count = Self.number(parts[1]) else {
            throw CLIError("--shard: expected I/N (this run's shard I of N, e.g. 0/4), got '\(text)'", exitCode: 2)
        }
        try self.init(index: index, count: count)
    }

    /// The items at positions p with p % count == index, in their original order.
    func select<T>(_ items: [T]) -> [T] {
        items.enumerated().filter { $0.offset % count == index }.map(\.element)
    }

    var description: String { "\(index)/\(count)" }

    /// Plain decimal digits only: `Int("+1")` would accept a sign, and a negative index is
    /// reported by the range check with the shard's own wording rather than as garbage.
    private static func number(_ part: Substring) -> Int? {
        let digits = part.hasPrefix("-") ? part.dropFirst() : part
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(part)
    }
}
