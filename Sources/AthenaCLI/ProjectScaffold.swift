import Foundation

/// The files of a new project, as a pure value: `athena init` writes them, tests read them.
///
/// The scaffold is deliberately small but complete: it serves with `athena serve` unchanged, its
/// test data is a ready request, and its Dockerfile and `deploy/` YAML are what the operator needs.
struct ProjectScaffold: Sendable {
    /// Which user API the project is written against.
    enum Style: String, CaseIterable, Sendable {
        /// AIGES loader style: `wrapper.py` with `class Wrapper(WrapperBase)`.
        case aiges
        /// ModelArts style: `model/config.json` + `model/customize_service.py`.
        case modelarts
    }

    /// One file to write, relative to the project root.
    struct File: Sendable, Equatable {
        var path: String
        var contents: String
    }

    /// The project (and service) name.
    let name: String
    /// The user API style.
    let style: Style

    /// Validates `name`: it becomes a URL path segment and Kubernetes object names.
    init(name: String, style: Style) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard let first = name.first, first.isLetter, first.isLowercase,
              name.count <= 53, name.allSatisfy({ allowed.contains($0) }), !name.hasSuffix("-")
        else {
            throw CLIError(
                "invalid project name '\(name)': use lowercase letters, digits and '-', start with a letter, at most 53 characters",
                exitCode: 2)
        }
        self.name = name
        self.style = style
    }

    /// Every file of the project.
    func files() -> [File] {
        var files = [
            File(path: "requirements.txt", contents: requirements),
            File(path: "Dockerfile", contents: dockerfile),
            File(path: "README.md", contents: readme),
            File(path: ".dockerignore", contents: ".venv\n__pycache__\n*.pyc\n"),
            File(path: "test_data/input.txt", contents: Self.sampleText + "\n"),
            File(path: "test_data/request.json", contents: sampleRequest),
            File(path: "deploy/aiapplication.yaml", contents: aiApplicationYAML),
            File(path: "deploy/onlineservice.yaml", contents: onlineServiceYAML),
        ]
        switch style {
        case .aiges:
            files.append(File(path: "wrapper.py", contents: aigesWrapper))
        case .modelarts:
            files.append(File(path: "model/config.json", contents: modelArtsConfig))
            files.append(File(path: "model/customize_service.py", contents: modelArtsService))
        }
        return files
    }

    /// The folder `athena serve` and the engine load: the root, or `model/` for ModelArts.
    var appSubpath: String { style == .aiges ? "." : "model" }

    /// Writes the files under `root`, refusing to clobber an existing project unless `overwrite`.
    func write(to root: URL, overwrite: Bool) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: root.path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw CLIError("\(root.path) exists and is not a folder", exitCode: 2) }
            let existing = (try? fm.contentsOfDirectory(atPath: root.path)) ?? []
            if !existing.isEmpty && !overwrite {
                throw CLIError("\(root.path) already exists and is not empty (use --force to write into it)", exitCode: 2)
            }
        }
        for file in files() {
            let url = root.appendingPathComponent(file.path)
            do {
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents.utf8).write(to: url)
            } catch {
                throw CLIError("cannot write \(url.path): \(error.localizedDescription)")
            }
        }
    }

    // MARK: - Shared sample data

    /// The text the sample request carries.
    static let sampleText = "Hello from Athena Serving"

    /// A complete request for the scaffolded service: ASE for AIGES style, the JSON body for ModelArts.
    var sampleRequest: String {
        if style == .modelarts {
            return "{\"text\": \"\(Self.sampleText)\", \"mode\": \"upper\"}\n"
        }
        let b64 = Data((Self.sampleText + "\n").utf8).base64EncodedString()
        return """
        {
          "header": {"app_id": "local", "status": 3},
          "parameter": {"\(name)": {"mode": "upper"}},
          "payload": {"text": {"encoding": "utf8", "status": 3, "text": "\(b64)"}}
        }

        """
    }

    var requirements: String {
        """
        # Runtime dependencies of your inference code, installed into the image (Dockerfile).
        # The Athena SDK (athena-wrapper) is installed by the Dockerfile itself.
        # numpy
        # scikit-learn

        """
    }

    var readme: String {
        let call = style == .aiges
            ? "athena call http://127.0.0.1:1888/v1/private/\(name) --param mode=upper --file text=@test_data/input.txt"
            : "curl -s -H 'Content-Type: application/json' -d '{\"text\": \"hello\", \"mode\": \"upper\"}' http://127.0.0.1:1888/v1/infers/\(name)"
        return """
        # \(name)

        Scaffolded by `athena init` (\(style.rawValue) style).

        ```sh
        athena serve .            # local: engine workers + gateway on http://127.0.0.1:1888
        \(call)
        athena schema .           # the request/response JSON schema
        athena validate test_data/request.json --app .
        ```

        `deploy/` holds the AIApplication and OnlineService for the Athena operator; build the image
        with the Dockerfile and set `spec.runtime.image` in `deploy/aiapplication.yaml`.

        """
    }
}
