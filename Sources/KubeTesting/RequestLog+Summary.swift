import Foundation
import KubeModel

// MARK: - Summary for processes outside the test

extension RequestLog {
    /// Counts of the logged requests as JSON, for `GET /debug/requests` (the benchmark and
    /// tests that drive `kube-testserver` as a process cannot read the log directly):
    /// `total`, `writes`, `byVerb`, `byResource` ("verb plural[/sub]"), `byUserAgent`
    /// (`{total, writes}` each), and `since` (seconds since the oldest counted entry).
    /// Only entries whose `User-Agent` starts with `userAgentPrefix` are counted.
    public func summary(userAgentPrefix: String = "") -> JSONValue {
        let selected = entries(userAgentPrefix: userAgentPrefix)
        var byVerb: [String: JSONValue] = [:]
        var byResource: [String: JSONValue] = [:]
        var byAgent: [String: (total: Int, writes: Int)] = [:]
        var writes = 0
        for entry in selected {
            byVerb[entry.verb] = .number((byVerb[entry.verb]?.doubleValue ?? 0) + 1)
            let resource = entry.resource.isEmpty ? entry.verb : "\(entry.verb) \(entry.resource)\(entry.subresource.map { "/" + $0 } ?? "")"
            byResource[resource] = .number((byResource[resource]?.doubleValue ?? 0) + 1)
            let isWrite = Self.writeVerbs.contains(entry.verb)
            if isWrite { writes += 1 }
            let agent = entry.userAgent.isEmpty ? "-" : entry.userAgent
            byAgent[agent, default: (0, 0)].total += 1
            if isWrite { byAgent[agent, default: (0, 0)].writes += 1 }
        }
        let agents = byAgent.mapValues { JSONValue.object(["total": .number(Double($0.total)), "writes": .number(Double($0.writes))]) }
        let since = selected.first.map { Date().timeIntervalSince($0.date) } ?? 0
        return [
            "total": .number(Double(selected.count)), "writes": .number(Double(writes)), "byVerb": .object(byVerb),
            "byResource": .object(byResource), "byUserAgent": .object(agents), "since": .number(since.rounded()),
        ]
    }
}
