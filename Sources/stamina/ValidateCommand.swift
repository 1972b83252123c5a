import ArgumentParser
import Foundation
import OrderedJSON
import PRISM

/// `stamina validate MODEL [PROPS] [--const N=1,...] [--json]`: parse and check only.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Parse and check a PRISM model (and properties) without exploring it.")

    @Argument(help: "The PRISM model file.")
    var model: String

    @Argument(help: "A properties file (CSL).")
    var properties: String?

    @Option(name: .customLong("const"), help: "Constant values, e.g. N=10,lambda=0.5.")
    var constants: String?

    @Flag(help: "Print one JSON object on stdout instead of text.")
    var json = false

    func run() async throws {
        let outcome = validate()
        switch outcome {
        case .success(let program):
            let model = program.model
            if json {
                let object = JSONText.object([
                    ("ok", .bool(true)), ("type", .string(model.type.rawValue)),
                    ("variables", .integer(model.variables.count)), ("commands", .integer(model.commands.count)),
                    ("properties", .integer(program.properties.count)),
                ])
                print(object.rendered)
            } else {
                print(
                    "OK: \(model.variables.count) variables, \(model.commands.count) commands, \(program.properties.count) properties"
                )
            }
        case .failure(let diagnostics):
            if json {
                let items = diagnostics.items.map {
                    JSONText.object([
                        ("file", .string($0.location.file)), ("line", .integer($0.location.line)),
                        ("column", .integer($0.location.column)), ("message", .string($0.message)),
                    ])
                }
                print(JSONText.object([("ok", .bool(false)), ("diagnostics", .array(items))]).rendered)
            } else {
                FileHandle.standardError.write(Data((diagnostics.description + "\n").utf8))
            }
            throw ExitCode(1)
        }
    }

    private func read(_ path: String) -> Result<SourceText, Diagnostics> {
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return .success(SourceText(name: path, text: text))
        } catch {
            let location = SourceLocation(file: path, line: 1, column: 1)
            return .failure(
                Diagnostics([
                    Diagnostic(
                        location: location, message: "cannot read file: \(error.localizedDescription)", snippet: "")
                ]))
        }
    }

    private func validate() -> Result<CheckedProgram, Diagnostics> {
        let overrides: ConstantOverrides
        do {
            overrides = try ConstantOverrides(parsing: constants ?? "")
        } catch {
            return .failure(error)
        }
        let modelText: SourceText
        switch read(model) {
        case .success(let text): modelText = text
        case .failure(let diagnostics): return .failure(diagnostics)
        }
        var propertiesText: SourceText?
        if let properties {
            switch read(properties) {
            case .success(let text): propertiesText = text
            case .failure(let diagnostics): return .failure(diagnostics)
            }
        }
        return FrontEnd.check(model: modelText, properties: propertiesText, constants: overrides)
    }

}
