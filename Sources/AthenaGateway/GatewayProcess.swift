#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

/// Process-wide settings for a gateway process, applied once at the very start of `main`.
///
/// The gateway is I/O bound: every request crosses the client connection, the engine connection
/// and Swift concurrency. Running Swift concurrency on NIO's event loops removes a thread hop at
/// every `await` on the hot path, and a small number of malloc arenas keeps memory flat.
public enum GatewayProcess {
    /// Installs NIO's singleton event loop group as Swift concurrency's global executor (so
    /// tasks resume on the event loop that completed their I/O instead of hopping to the
    /// cooperative pool) and caps glibc's malloc arenas (by default 8 per core, each growing
    /// on its own under load). Call once, first thing in `main`, on the main thread.
    /// Returns whether the executor could be installed.
    /// Event loop threads: `ATHENA_EVENT_LOOPS` when set to a positive number, else half the
    /// cores NIO sees (its count honours a container's CPU quota), at least one.
    ///
    /// Why not one per core: the gateway always shares its cores with the engines it fronts (the
    /// engine container of its pod, the Python workers of `athena serve`) and, in the benchmark,
    /// with the load generator and the backend. On 2 cores, two loops cost 50 µs of CPU per
    /// pass-through request against 38 µs for one (each loop sleeps and is woken more often, and
    /// the extra context switches are paid in the kernel); one loop still serves ~27k req/s.
    static func eventLoopCount(environment: String?, cores: Int) -> Int {
        if let environment, let loops = Int(environment), loops > 0 { return loops }
        return max(1, cores / 2)
    }

    @discardableResult
    public static func tune() -> Bool {
        #if canImport(Glibc)
        // mallopt(M_ARENA_MAX = -8, 2); <malloc.h> is not in the Glibc module, so look it up.
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
            let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
            _ = mallopt(-8, 2)
        }
        #endif
        NIOSingletons.groupLoopCountSuggestion = eventLoopCount(
            environment: getenv("ATHENA_EVENT_LOOPS").map { String(cString: $0) }, cores: System.coreCount)
        return NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
