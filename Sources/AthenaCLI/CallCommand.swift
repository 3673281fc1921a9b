import AthenaGateway
import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore

/// `athena call URL`: sends one ASE request built from flags and prints the decoded result.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a service with an ASE request and print the decoded result.",
        discussion: """
        URL is the full endpoint (http://127.0.0.1:1888/v1/private/digits) or the server root with --service.
        Examples:
          athena call http://127.0.0.1:1888/v1/private/digits --file image=@examples/digits/test_data/3.png
          athena call http://127.0.0.1:1888 --service demo --param mode=upper --text text=hello
          athena call https://digits.example/v1/private/digits --token $TOKEN --file image=@3.png
        A service with auth takes --token (Authorization: Bearer), --appcode (X-Apig-AppCode) or
        --hmac KEY:SECRET (the request is signed: Date, Digest, Authorization); --header adds any header.
        Streaming: --ws runs a WebSocket session (with --chunk BYTES the payload goes in pieces, status
        0, 1…, 2) and --sse asks for the results as server-sent events; results print as they arrive.
          athena call http://127.0.0.1:1888/v1/private/asr --ws --chunk 1280 --file audio=@speech.pcm
        Exit status: 0 on success, 1 on an error response (printed with its code), 2 on bad input.
        """
    )

    @Argument(help: "The service URL (…/v1/private/NAME), or the server root together with --service.")
    var url: String

    @Option(help: "The service id (defaults to the last path segment of URL).")
    var service: String?

    @Option(name: .customLong("param"), help: "A parameter: key=value (a string) or key:=JSON (typed, e.g. top:=3).")
    var params: [String] = []

    @Option(name: .customLong("file"), help: "A payload item from a file: name=@path (type and encoding from the extension).")
    var files: [String] = []

    @Option(name: .customLong("text"), help: "A text payload item: name=value or name=@path.")
    var texts: [String] = []

    @Option(help: "Save binary results (images, audio) into this folder.")
    var outputDir: String?

    @Option(help: "Request timeout in seconds.")
    var timeout: Int = 60

    @Option(help: "Send Authorization: Bearer TOKEN (auth mode token).")
    var token: String?

    @Option(help: "Send X-Apig-AppCode: CODE (auth mode appcode).")
    var appcode: String?

    @Option(help: "Sign the request with KEY:SECRET (auth mode hmac).")
    var hmac: String?

    @Option(name: .customLong("header"), help: "An extra request header: 'Name: value'.")
    var headers: [String] = []

    @Flag(help: "Run a WebSocket session on the same path (results print as they arrive).")
    var ws = false

    @Flag(help: "Ask for the results as server-sent events (Accept: text/event-stream).")
    var sse = false

    @Option(help: "With --ws: send each payload item in pieces of this many bytes (status 0, 1…, 2).")
    var chunk: Int?

    @Flag(help: "Print the raw JSON response instead of decoding it.")
    var raw = false

    @Flag(help: "Print the request JSON and exit without sending it.")
    var dryRun = false

    func run() async throws {
        try await CLIError.reporting {
            let (endpoint, serviceID) = try Self.resolve(url: url, service: service)
            let cwd = FileManager.default.currentDirectoryPath
            var builder = ASERequestBuilder(service: serviceID)
            for flag in params { try builder.addParameter(flag) }
            for flag in files { try builder.addFile(flag, workingDirectory: cwd) }
            for flag in texts { try builder.addText(flag, workingDirectory: cwd) }
            let body = try builder.bodyData()
            if ws && sse { throw CLIError("--ws and --sse are two ways to stream: give one", exitCode: 2) }
            if chunk != nil && !ws { throw CLIError("--chunk goes with --ws", exitCode: 2) }
            if let chunk, chunk < 1 { throw CLIError("--chunk takes a positive number of bytes", exitCode: 2) }
            if ws {
                let messages = try StreamingCall.messages(builder.body(), chunkBytes: chunk)
                if dryRun {
                    for message in messages { print(String(decoding: message, as: UTF8.self)) }
                    return
                }
                let extra = try Self.requestHeaders(endpoint: endpoint, method: "GET", body: Data(), token: token, appcode: appcode, hmac: hmac, headers: headers)
                let ok = try await StreamingCall.webSocket(endpoint: endpoint, messages: messages, headers: extra, timeout: timeout,
                                                           printer: ASEResponsePrinter(outputDirectory: outputDir))
                if !ok { throw ExitCode(1) }
                return
            }
            if dryRun {
                print(String(decoding: body, as: UTF8.self))
                return
            }
            let extra = try Self.requestHeaders(endpoint: endpoint, body: body, token: token, appcode: appcode, hmac: hmac, headers: headers)
            if sse {
                let ok = try await StreamingCall.serverSentEvents(endpoint: endpoint, body: body, headers: extra, timeout: timeout,
                                                                  printer: ASEResponsePrinter(outputDirectory: outputDir))
                if !ok { throw ExitCode(1) }
                return
            }
            let (status, responseBody) = try await Self.post(endpoint, body: body, headers: extra, timeout: timeout)
            if raw {
                print(String(decoding: responseBody, as: UTF8.self))
                if !(200..<300).contains(status) { throw ExitCode(1) }
                return
            }
            print(try ASEResponsePrinter(outputDirectory: outputDir).render(status: status, body: responseBody))
        }
    }

    /// The endpoint to POST to and the service id.
    static func resolve(url: String, service: String?) throws -> (String, String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
              ["http", "https"].contains(scheme.lowercased()), components.host != nil
        else {
            throw CLIError("'\(url)' is not an http(s) URL, e.g. http://127.0.0.1:1888/v1/private/digits", exitCode: 2)
        }
        let path = components.path
        if path.isEmpty || path == "/" {
            guard let service, !service.isEmpty else {
                throw CLIError("the URL has no path: add /v1/private/NAME or pass --service NAME", exitCode: 2)
            }
            let root = url.hasSuffix("/") ? String(url.dropLast()) : url
            return ("\(root)/v1/private/\(service)", service)
        }
        if let service, !service.isEmpty { return (url, service) }
        guard let last = path.split(separator: "/").last else {
            throw CLIError("cannot tell the service from '\(url)': pass --service NAME", exitCode: 2)
        }
        return (url, String(last))
    }

    /// The headers of `--token`, `--appcode`, `--hmac` and `--header`, in that order.
    static func requestHeaders(
        endpoint: String, method: String = "POST", body: Data, token: String?, appcode: String?, hmac: String?, headers: [String],
        date: Date = Date()
    ) throws -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        let authorizing = [token != nil, hmac != nil, headers.contains { $0.lowercased().hasPrefix("authorization:") }]
        guard authorizing.filter({ $0 }).count <= 1 else {
            throw CLIError("--token, --hmac and --header 'Authorization: …' each set Authorization: give one of them", exitCode: 2)
        }
        if let token { result.append((name: "Authorization", value: "Bearer \(token)")) }
        if let appcode { result.append((name: "X-Apig-AppCode", value: appcode)) }
        if let hmac {
            guard let colon = hmac.firstIndex(of: ":"), colon != hmac.startIndex, hmac.index(after: colon) != hmac.endIndex else {
                throw CLIError("--hmac takes KEY:SECRET", exitCode: 2)
            }
            // As sent on the wire (percent-encoded): the gateway signs the path it received.
            let path = URLComponents(string: endpoint)?.percentEncodedPath ?? "/"
            result += HMACRequestSigner.headers(method: method, path: path, body: body, apiKey: String(hmac[..<colon]),
                                                secret: String(hmac[hmac.index(after: colon)...]), date: date)
        }
        for header in headers {
            guard let colon = header.firstIndex(of: ":"), colon != header.startIndex else {
                throw CLIError("--header takes 'Name: value', got '\(header)'", exitCode: 2)
            }
            result.append((name: String(header[..<colon]).trimmingCharacters(in: .whitespaces),
                           value: String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        return result
    }

    /// A JSON `POST` of `body` asking for `accept`, with `headers` added.
    static func jsonPost(_ url: String, body: Data, accept: String, headers: [(name: String, value: String)]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: accept)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    /// POSTs JSON; returns the status and the whole body (bounded to 64 MiB).
    static func post(_ url: String, body: Data, headers: [(name: String, value: String)] = [], timeout: Int) async throws -> (Int, Data) {
        let request = jsonPost(url, body: body, accept: "application/json", headers: headers)
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(max(1, timeout))))
            let buffer = try await response.body.collect(upTo: 64 << 20)
            return (Int(response.status.code), Data(buffer.readableBytesView))
        } catch let error as HTTPClientError {
            throw CLIError("cannot reach \(url): \(error)")
        } catch {
            throw CLIError("cannot reach \(url): \(error)")
        }
    }
}
