import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves a name to its addresses with `getaddrinfo`, on NIO's blocking-I/O pool so no
/// cooperative thread blocks. Used for the headless Service of a version's engines.
enum DNSResolver {
    static func resolve(_ name: String) async -> [String] {
        (try? await NIOThreadPool.singleton.runIfActive { lookup(name) }) ?? []
    }

    static func lookup(_ name: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let current = node {
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(current.pointee.ai_addr, current.pointee.ai_addrlen, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(cString: host)
                if !addresses.contains(text) { addresses.append(text) }
            }
            node = current.pointee.ai_next
        }
        return addresses.sorted()
    }
}
