import CCurl
import Synchronization

/// A libcurl easy handle. Used by one thread at a time: the pool hands it out exclusively.
struct EasyHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}

/// Idle easy handles kept for reuse. An easy handle keeps its connection cache across
/// `curl_easy_reset`, so reusing handles is what keeps connections to the API server alive.
final class CurlHandlePool: Sendable {
    private let idle = Mutex<[EasyHandle]>([])
    private let maxIdle: Int

    init(maxIdle: Int) {
        self.maxIdle = max(0, maxIdle)
    }

    /// An idle handle, or a new one.
    func take() throws(TransportError) -> EasyHandle {
        if let handle = idle.withLock({ $0.popLast() }) { return handle }
        CurlGlobal.ensureInitialized()
        guard let raw = curl_easy_init() else {
            throw TransportError(code: .other, message: "curl_easy_init failed (out of memory?)")
        }
        return EasyHandle(raw: raw)
    }

    /// Returns a handle after a transfer: its options are reset, its connections kept.
    func give(_ handle: EasyHandle) {
        curl_easy_reset(handle.raw)
        let kept = idle.withLock { handles -> Bool in
            guard handles.count < maxIdle else { return false }
            handles.append(handle)
            return true
        }
        if !kept { curl_easy_cleanup(handle.raw) }
    }

    deinit {
        for handle in idle.withLock({ $0 }) { curl_easy_cleanup(handle.raw) }
    }
}

/// `curl_global_init` must run once, before any other libcurl call, and is not thread-safe:
/// a global `let` gives exactly-once initialisation for free.
enum CurlGlobal {
    private static let initResult: CURLcode = athena_curl_global_init()

    static func ensureInitialized() {
        _ = initResult
    }
}
