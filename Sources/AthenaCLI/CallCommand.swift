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
            if dryRun {
                print(String(decoding: body, as: UTF8.self))
                return
            }
            let (status, responseBody) = try await Self.post(endpoint, body: body, timeout: timeout)
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

    /// POSTs JSON; returns the status and the whole body (bounded to 64 MiB).
    static func post(_ url: String, body: Data, timeout: Int) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
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
