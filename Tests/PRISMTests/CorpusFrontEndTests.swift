// Every case of the model corpus (Tests/Corpus/manifest.json) through the front end: accepted
// cases check, rejected ones fail with the first diagnostic on an allowed line (and column, when
// the manifest is certain of it) and with one of the listed phrases in its message.
import Foundation
import PRISM
import Testing

@Suite struct CorpusFrontEndTests {
    struct CorpusCase: Sendable, CustomTestStringConvertible {
        var name: String
        var model: String
        var properties: String?
        var constants: String
        var accept: Bool
        /// `model`, `properties` or `constants` (the --const text).
        var errorFile: String
        var lines: [Int]
        var column: Int?
        var phrases: [String]
        var testDescription: String { name }
    }

    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Corpus")

    static func loadCases() -> [CorpusCase] {
        guard let data = try? Data(contentsOf: corpus.appendingPathComponent("manifest.json")),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let cases = root["cases"] as? [[String: Any]]
        else { return [] }
        return cases.compactMap { entry in
            guard let name = entry["name"] as? String, let model = entry["model"] as? String else { return nil }
            let error = entry["error"] as? [String: Any]
            return CorpusCase(
                name: name, model: model, properties: entry["properties"] as? String,
                constants: entry["constants"] as? String ?? "", accept: (entry["expect"] as? String) == "accept",
                errorFile: error?["file"] as? String ?? "model",
                lines: error?["lines"] as? [Int] ?? [], column: error?["column"] as? Int,
                phrases: error?["phrases"] as? [String] ?? [])
        }
    }

    static func source(_ path: String) throws -> SourceText {
        SourceText(name: path, text: try String(contentsOf: corpus.appendingPathComponent(path), encoding: .utf8))
    }

    @Test func theManifestIsFound() {
        #expect(Self.loadCases().count >= 50)
    }

    @Test(arguments: loadCases())
    func frontEndAgreesWithTheManifest(_ testCase: CorpusCase) throws {
        let result: Result<CheckedProgram, Diagnostics>
        do {
            let overrides = try ConstantOverrides(parsing: testCase.constants)
            result = FrontEnd.check(
                model: try Self.source(testCase.model), properties: try testCase.properties.map(Self.source),
                constants: overrides)
        } catch let diagnostics as Diagnostics {
            result = .failure(diagnostics)
        }
        switch result {
        case .success:
            #expect(testCase.accept, "accepted, but the manifest expects an error")
        case .failure(let diagnostics):
            guard !testCase.accept else {
                Issue.record("rejected: \(diagnostics)")
                return
            }
            let first = try #require(diagnostics.items.first)
            let file =
                switch testCase.errorFile {
                case "properties": testCase.properties
                case "constants": "--const"
                default: testCase.model
                }
            #expect(first.location.file == file)
            if !testCase.lines.isEmpty { #expect(testCase.lines.contains(first.location.line), "\(first)") }
            if let column = testCase.column { #expect(first.location.column == column, "\(first)") }
            if !testCase.phrases.isEmpty {
                #expect(testCase.phrases.contains { first.message.lowercased().contains($0.lowercased()) }, "\(first)")
            }
        }
    }
}
