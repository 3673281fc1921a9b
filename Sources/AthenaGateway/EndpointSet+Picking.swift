import AthenaAPI

extension EndpointSet {
    /// The index of the endpoint for the next request, or `nil` when every usable endpoint is
    /// at its concurrency limit. Ejected endpoints are skipped unless all are ejected ("panic
    /// mode": better to try a resting endpoint than to refuse everything).
    func pick(_ state: inout State, hashKey: String?, excluding: HostPort?, now: ContinuousClock.Instant) -> Int? {
        // Read through a local copy of the array (one retain), not the `inout` state the nested
        // functions would capture: through that, each `slots[i]` copied the whole slot.
        let slots = state.slots
        let count = slots.count
        guard count > 0 else { return nil }
        func healthy(_ i: Int) -> Bool {
            slots[i].address != excluding && (slots[i].ejectedUntil.map { now >= $0 } ?? true)
        }
        let anyHealthy = (0..<count).contains(where: healthy)
        func usable(_ i: Int) -> Bool {
            if slots[i].address == excluding { return false }
            if anyHealthy && !healthy(i) { return false }
            return maxConcurrency <= 0 || slots[i].inflight < maxConcurrency
        }
        let start = state.cursor % count
        state.cursor = (state.cursor &+ 1) & Int.max

        switch balancing.policy {
        case .roundRobin:
            for step in 0..<count where usable((start + step) % count) { return (start + step) % count }
            return nil
        case .consistentHash where hashKey != nil && !state.ring.isEmpty:
            let h = Self.hash(hashKey ?? "")
            var lo = 0, hi = state.ring.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if state.ring[mid].hash < h { lo = mid + 1 } else { hi = mid }
            }
            for step in 0..<state.ring.count {
                let address = state.ring[(lo + step) % state.ring.count].address
                if let i = slots.indices.first(where: { slots[$0].address == address }), usable(i) { return i }
            }
            return nil
        case .leastInflight, .consistentHash:
            var best: Int?
            for step in 0..<count {
                let i = (start + step) % count
                guard usable(i) else { continue }
                if best == nil || slots[i].inflight < slots[best!].inflight { best = i }
            }
            return best
        }
    }

    /// 64 points per endpoint on a hash ring, so removing one endpoint moves only its keys.
    static func buildRing(_ addresses: [HostPort]) -> [(hash: UInt64, address: HostPort)] {
        var ring: [(hash: UInt64, address: HostPort)] = []
        ring.reserveCapacity(addresses.count * 64)
        for address in addresses {
            for replica in 0..<64 { ring.append((hash("\(address.description)#\(replica)"), address)) }
        }
        ring.sort { $0.hash < $1.hash }
        return ring
    }

    /// FNV-1a then a splitmix64 finaliser: stable across processes (unlike `Hasher`) and well spread.
    static func hash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01b3
        }
        h ^= h >> 30
        h = h &* 0xbf58_476d_1ce4_e5b9
        h ^= h >> 27
        h = h &* 0x94d0_49bb_1331_11eb
        h ^= h >> 31
        return h
    }
}
