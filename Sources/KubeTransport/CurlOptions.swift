import CCurl
import Foundation

/// Typed `curl_easy_setopt` calls that remember the first failure, so configuration reads as a
/// list of settings and still reports "option X rejected: <libcurl's reason>".
struct CurlOptions {
    let handle: UnsafeMutableRawPointer
    private(set) var firstFailure: String?

    init(handle: UnsafeMutableRawPointer) {
        self.handle = handle
    }

    mutating func set(_ option: CURLoption, _ value: Int) {
        check(option, athena_curl_setopt_long(handle, option, value))
    }

    mutating func set(_ option: CURLoption, offset value: curl_off_t) {
        check(option, athena_curl_setopt_off_t(handle, option, value))
    }

    /// libcurl copies strings passed to setopt (since 7.17), so a temporary C string is fine.
    mutating func set(_ option: CURLoption, _ value: String?) {
        let result = value.map { athena_curl_setopt_string(handle, option, $0) }
            ?? athena_curl_setopt_string(handle, option, nil)
        check(option, result)
    }

    mutating func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) {
        check(option, athena_curl_setopt_pointer(handle, option, value))
    }

    mutating func set(_ option: CURLoption, list value: UnsafeMutablePointer<curl_slist>?) {
        check(option, athena_curl_setopt_slist(handle, option, value))
    }

    mutating func set(_ option: CURLoption, blob data: Data) {
        let result = data.withUnsafeBytes { athena_curl_setopt_blob(handle, option, $0.baseAddress, $0.count) }
        check(option, result)
    }

    mutating func setCallback(_ option: CURLoption, _ callback: curl_write_callback) {
        check(option, athena_curl_setopt_write_callback(handle, option, callback))
    }

    private mutating func check(_ option: CURLoption, _ result: CURLcode) {
        guard result != CURLE_OK, firstFailure == nil else { return }
        firstFailure = "libcurl rejected option \(option.rawValue): \(String(cString: curl_easy_strerror(result)))"
    }
}
