// Runs the engine on PRISM text (model files next to the tests, or inline source).

import Foundation
import PRISM
import Testing
@testable import StaminaEngine

enum PRISMSource {
    static let modelsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Models")

    static func file(_ name: String) throws -> SourceText {
        let url = modelsDirectory.appendingPathComponent(name)
        return SourceText(name: name, text: try String(contentsOf: url, encoding: .utf8))
    }

    static func program(model: SourceText, properties: SourceText?, constants: String = "") throws -> CheckedProgram {
        let overrides = try ConstantOverrides(parsing: constants)
        switch FrontEnd.check(model: model, properties: properties, constants: overrides) {
        case .success(let program): return program
        case .failure(let diagnostics): throw diagnostics
        }
    }

    static func run(
        model: SourceText, properties: SourceText?, constants: String = "",
        _ configure: (inout CheckSettings) -> Void = { _ in }
    ) throws -> RunReport {
        let checked = try program(model: model, properties: properties, constants: constants)
        var settings = CheckSettings()
        configure(&settings)
        return try CheckRun(model: checked.model, properties: checked.properties, settings: settings).run(observer: nil)
    }

    static func inline(_ model: String, _ properties: String, _ configure: (inout CheckSettings) -> Void = { _ in })
        throws -> RunReport
    {
        try run(
            model: SourceText(name: "inline.prism", text: model),
            properties: SourceText(name: "inline.csl", text: properties), configure)
    }
}
