import AthenaAPI
import Foundation
import Testing

/// `config/samples/*.yaml` decode into the API types and are valid both for the CRD schema (what
/// the API server checks) and for the Swift validation (what the operator checks); every
/// `config/samples/invalid/**` file is rejected at the path its `# expect:` line names.
@Suite("Samples")
struct SampleTests {
    static let plurals = [
        AIApplication.kind: "aiapplications", OnlineService.kind: "onlineservices", BatchService.kind: "batchservices",
    ]

    static func schema(for json: JSONValue) throws -> StructuralSchema {
        let kind = json["kind"]?.stringValue ?? ""
        let plural = try #require(plurals[kind], "unknown kind \(kind)")
        return StructuralSchema(root: try TestFiles.crdSchema(plural: plural))
    }

    static func validSamples() throws -> [URL] { try TestFiles.yamlFiles(in: "config/samples") }

    @Test("there are valid samples of every kind")
    func everyKindHasASample() throws {
        let kinds = try Self.validSamples().map { try TestFiles.json($0)["kind"]?.stringValue ?? "" }
        for kind in ServingObject.kinds { #expect(kinds.filter { $0 == kind }.count >= 1, "no sample of \(kind)") }
    }

    @Test("valid samples decode, pass the CRD schema and the Swift validation")
    func validSamplesAreValid() throws {
        let files = try Self.validSamples()
        #expect(files.count >= 3)
        for file in files {
            let json = try TestFiles.json(file)
            let schemaErrors = try Self.schema(for: json).validate(json)
            #expect(schemaErrors.isEmpty, "\(file.lastPathComponent): schema: \(schemaErrors)")
            let object = try ServingObject(json: json)
            let errors = object.validate()
            #expect(errors.isEmpty, "\(file.lastPathComponent): \(errors.summary)")
            // What the API server stores (CRD defaults applied) decodes and validates the same.
            let defaulted = try ServingObject(json: Self.schema(for: json).applyingDefaults(json))
            #expect(defaulted.validate().isEmpty, "\(file.lastPathComponent) after CRD defaults")
        }
    }

    @Test("every invalid sample says what is wrong and where")
    func invalidSamplesAreDocumented() throws {
        let files = try TestFiles.yamlFiles(in: "config/samples/invalid", recursive: true)
        #expect(files.count >= 10)
        for file in files {
            let text = try TestFiles.text(file)
            #expect(TestFiles.headerComments(text, key: "invalid").count == 1, "\(file.lastPathComponent): no '# invalid:' line")
            #expect(TestFiles.headerComments(text, key: "expect").count >= 1, "\(file.lastPathComponent): no '# expect:' line")
            let folder = file.deletingLastPathComponent().lastPathComponent
            #expect(["schema", "semantic"].contains(folder), "\(file.path) must be under invalid/schema or invalid/semantic")
        }
    }

    @Test("schema-invalid samples are rejected by the CRD schema and by Swift, at the expected path")
    func schemaInvalidSamples() throws {
        let files = try TestFiles.yamlFiles(in: "config/samples/invalid/schema")
        #expect(files.count >= 8)
        for file in files {
            let text = try TestFiles.text(file)
            let expected = TestFiles.headerComments(text, key: "expect")
            let json = try TestFiles.json(yaml: text)
            let schemaErrors = try Self.schema(for: json).validate(json)
            for path in expected {
                #expect(schemaErrors.contains { $0.hasPrefix(path + ":") },
                    "\(file.lastPathComponent): schema errors \(schemaErrors) do not name \(path)")
            }
            let swiftErrors = Self.swiftErrors(json)
            for path in expected {
                #expect(swiftErrors.contains { $0.path == path },
                    "\(file.lastPathComponent): Swift errors \(swiftErrors.summary) do not name \(path)")
            }
        }
    }

    @Test("semantic-invalid samples pass the CRD schema but fail Swift validation at the expected path")
    func semanticInvalidSamples() throws {
        let files = try TestFiles.yamlFiles(in: "config/samples/invalid/semantic")
        #expect(files.count >= 8)
        for file in files {
            let text = try TestFiles.text(file)
            let expected = TestFiles.headerComments(text, key: "expect")
            let json = try TestFiles.json(yaml: text)
            let schemaErrors = try Self.schema(for: json).validate(json)
            #expect(schemaErrors.isEmpty, "\(file.lastPathComponent) belongs in invalid/schema: \(schemaErrors)")
            let errors = Self.swiftErrors(json)
            for path in expected {
                #expect(errors.contains { $0.path == path },
                    "\(file.lastPathComponent): errors \(errors.summary) do not name \(path)")
            }
        }
    }

    /// Decoding errors and validation errors alike, as field errors.
    static func swiftErrors(_ json: JSONValue) -> [FieldError] {
        do {
            return try ServingObject(json: json).validate()
        } catch {
            return error.errors
        }
    }
}
