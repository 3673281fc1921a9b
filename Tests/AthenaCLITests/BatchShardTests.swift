import Foundation
import Testing
@testable import AthenaCLI

/// `athena batch --shard I/N` in-process: parsing, which inputs a shard takes, the task id it
/// defaults to, and the input order the shards rely on.
@Suite("athena batch --shard")
struct BatchShardTests {
    @Test("I/N parses", arguments: [("0/1", 0, 1), ("0/2", 0, 2), ("1/2", 1, 2), ("9/10", 9, 10), ("007/8", 7, 8)])
    func parses(_ text: String, _ index: Int, _ count: Int) throws {
        let shard = try BatchShard(parsing: text)
        #expect(shard.index == index && shard.count == count)
    }

    @Test("bad values are usage errors (exit 2) that say what is wrong",
          arguments: [("3/2", "I must be between 0 and 1"), ("2/2", "I must be between 0 and 1"),
                      ("-1/2", "I must be between 0 and 1"), ("1/0", "N must be at least 1"), ("0/-1", "N must be at least 1"),
                      ("x", "expected I/N"), ("1/2/3", "expected I/N"), ("1/", "expected I/N"), ("/2", "expected I/N"),
                      ("", "expected I/N"), ("+1/2", "expected I/N"), (" 1/2", "expected I/N"), ("a/b", "expected I/N"),
                      ("1/99999999999999999999999", "expected I/N")])
    func refuses(_ text: String, _ message: String) {
        let error = #expect(throws: CLIError.self) { try BatchShard(parsing: text) }
        #expect(error?.exitCode == 2)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        #expect(error?.message.hasPrefix("--shard") == true, "\(error?.message ?? "")")
    }

    @Test("round robin: shard I keeps positions I, I+N, I+2N… in order")
    func selects() throws {
        let items = Array(0..<7)
        #expect(try BatchShard(parsing: "0/3").select(items) == [0, 3, 6])
        #expect(try BatchShard(parsing: "1/3").select(items) == [1, 4])
        #expect(try BatchShard(parsing: "2/3").select(items) == [2, 5])
        #expect(try BatchShard(parsing: "0/1").select(items) == items)
        #expect(try BatchShard(parsing: "4/5").select(["a", "b"]).isEmpty, "more shards than inputs: nothing to do")
        #expect(try BatchShard(parsing: "0/2").select([Int]()).isEmpty)
    }

    @Test("the N shards are disjoint and cover every input", arguments: [1, 2, 3, 4, 7, 16])
    func disjointAndCovering(_ count: Int) throws {
        for total in [0, 1, count - 1, count, count + 1, 3 * count + 2, 100] where total >= 0 {
            let items = Array(0..<total)
            let shards = try (0..<count).map { try BatchShard(index: $0, count: count).select(items) }
            let all = shards.flatMap { $0 }
            #expect(all.count == total, "\(total) inputs over \(count) shards: an input taken twice or missed")
            #expect(Set(all) == Set(items), "\(total) inputs over \(count) shards")
            let sizes = shards.map(\.count)
            #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1, "balanced: \(sizes)")
        }
    }

    @Test("the task id: --task when given, else the shard's index, else 0")
    func taskID() throws {
        let shard = try BatchShard(parsing: "3/4")
        #expect(BatchCommand.taskID(nil, shard: nil) == "0")
        #expect(BatchCommand.taskID(nil, shard: shard) == "3")
        #expect(BatchCommand.taskID("nightly", shard: shard) == "nightly")
        #expect(BatchCommand.taskID("0", shard: shard) == "0", "an explicit --task 0 wins over the shard")

        let parsed = try BatchCommand.parse(["app", "--input", "in", "--output", "out", "--shard", "1/2"])
        #expect(parsed.shard == "1/2" && parsed.task == nil)
        let negative = try BatchCommand.parse(["app", "--input", "in", "--output", "out", "--shard", "-1/2"])
        #expect(negative.shard == "-1/2", "a leading - is the shard's value, refused later with its own message")
        #expect(throws: (any Error).self) { try BatchCommand.parse(["app", "--input", "in", "--output", "out", "--task", ""]) }
    }

    @Test("a folder lists in name order whatever order the files were made in, so every pod sees the same positions")
    func folderOrder() throws {
        let dir = try TestPaths.temporaryDirectory("athena-shard-order")
        for name in ["m.png", "b.png", "z.png", "a.png", ".hidden", "c10.png", "c2.png"] {
            try Data([0]).write(to: dir.appendingPathComponent(name))
        }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let names = try BatchInputs.list(dir.path).map { ($0.source as NSString).lastPathComponent }
        #expect(names == ["a.png", "b.png", "c10.png", "c2.png", "m.png", "z.png"])
    }
}
