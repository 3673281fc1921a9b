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
    @discardableResult
    public static func tune() -> Bool {
        #if canImport(Glibc)
        // mallopt(M_ARENA_MAX = -8, 2); <malloc.h> is not in the Glibc module, so look it up.
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
            let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
            _ = mallopt(-8, 2)
        }
        #endif
        // ATHENA_EVENT_LOOPS: number of event loop threads (default: one per core).
        if let text = getenv("ATHENA_EVENT_LOOPS"), let loops = Int(String(cString: text)), loops > 0 {
            NIOSingletons.groupLoopCountSuggestion = loops
        }
        return NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
