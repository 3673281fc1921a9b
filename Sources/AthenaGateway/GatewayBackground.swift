import AthenaAPI
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle

/// The gateway's background work, run as a ServiceLifecycle service next to the HTTP server:
/// reloading the routing-table file when it changes, and resolving DNS endpoints periodically.
struct GatewayBackground: Service {
    let gateway: Gateway

    func run() async throws {
        let gateway = self.gateway
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                if gateway.configFile != nil {
                    group.addTask { await gateway.watchConfigFile() }
                }
                group.addTask { await gateway.refreshDNSLoop() }
                await group.waitForAll()
            }
        }
        // ServiceGroup stops services in reverse order: the HTTP server has drained by now,
        // so engine connections can close and the last access-log lines go out.
        gateway.accessLog.flush()
        for service in gateway.state.services.values {
            for version in service.versions {
                for (_, engine) in version.endpoints.engines { await engine.shutdown() }
            }
        }
    }
}

extension Gateway {
    // MARK: - Hot reload

    /// Polls the file's modification time and size, and the services' auth credentials; on a
    /// change, loads the file and swaps it in. A bad file keeps the last good table, logs why and
    /// shows it in `/healthz` and a metric.
    func watchConfigFile() async {
        guard let file = configFile else { return }
        var lastStamp = stamp(of: file)
        while !Task.isCancelled {
            try? await Task.sleep(for: options.reloadInterval)
            let stamp = stamp(of: file)
            guard stamp != lastStamp else { continue }
            lastStamp = stamp
            reloadConfig()
        }
    }

    /// Loads the config file now. Returns the problem, or `nil` when the new table is in use.
    @discardableResult
    public func reloadConfig() -> String? {
        guard let file = configFile else { return nil }
        do {
            let table = try RoutingTableLoader.load(file: file)
            try update(table: table)
            configProblem.withLock { $0 = nil }
            metrics.reloads.increment()
            metrics.configValid.record(1)
            options.logger.info("routing table reloaded", metadata: ["file": "\(file)", "services": "\(table.services.count)"])
            Task { await self.refreshDNS() }
            return nil
        } catch {
            let message = "\(error)"
            configProblem.withLock { $0 = message }
            metrics.reloadFailures.increment()
            metrics.configValid.record(0)
            options.logger.error("routing table rejected, keeping the last good one", metadata: ["file": "\(file)", "error": "\(message)"])
            return message
        }
    }

    private func stamp(of file: String) -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file) else { return "missing" }
        let date = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        let credentials = state.table.services.map { ServiceAuth.fingerprint(of: $0.auth) }.joined(separator: "/")
        return "\(date)/\(size)/\(credentials)"
    }

    // MARK: - DNS endpoints

    func refreshDNSLoop() async {
        while !Task.isCancelled {
            await refreshDNS()
            let intervals = state.services.values.flatMap(\.versions).compactMap { $0.route.endpoints.dns?.refreshSeconds }
            let seconds = intervals.min().map { max(1, $0) }
            try? await Task.sleep(for: seconds.map { .milliseconds(Int64($0 * 1000)) } ?? options.dnsRefresh)
        }
    }

    /// Resolves every DNS-backed version once and updates its endpoints (empty answers keep
    /// the old list: a DNS hiccup must not drop every engine).
    func refreshDNS() async {
        for service in state.services.values {
            for version in service.versions {
                guard let dns = version.route.endpoints.dns else { continue }
                let hosts = await DNSResolver.resolve(dns.name)
                guard !hosts.isEmpty else {
                    options.logger.warning("DNS name resolved to no address", metadata: ["name": "\(dns.name)"])
                    continue
                }
                let addresses = hosts.map { HostPort(host: $0, port: dns.port) }
                do {
                    let retired = try version.endpoints.setEndpoints(addresses) { try factory.makeEngine(endpoint: $0, version: version.route) }
                    for engine in retired { await engine.shutdown() }
                } catch {
                    options.logger.error("cannot create engines", metadata: ["name": "\(dns.name)", "error": "\(error)"])
                }
            }
        }
    }
}
