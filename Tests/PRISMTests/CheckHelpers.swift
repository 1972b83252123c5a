// Shared helpers: run the front end on inline sources and unwrap the result or the diagnostics.
import PRISM
import Testing

struct CheckFailure: Error, CustomStringConvertible {
    var description: String
}

func check(_ model: String, properties: String? = nil, constants: [String: String] = [:]) -> Result<
    CheckedProgram, Diagnostics
> {
    FrontEnd.check(
        model: SourceText(name: "m.prism", text: model),
        properties: properties.map { SourceText(name: "p.csl", text: $0) },
        constants: ConstantOverrides(constants))
}

/// The checked program, or a thrown error that prints the diagnostics.
func checked(_ model: String, properties: String? = nil, constants: [String: String] = [:]) throws -> CheckedProgram {
    switch check(model, properties: properties, constants: constants) {
    case .success(let program): return program
    case .failure(let diagnostics): throw CheckFailure(description: diagnostics.description)
    }
}

/// The diagnostics, or a thrown error when the check succeeded.
func diagnostics(_ model: String, properties: String? = nil, constants: [String: String] = [:]) throws -> [Diagnostic] {
    switch check(model, properties: properties, constants: constants) {
    case .success: throw CheckFailure(description: "expected diagnostics, but the check succeeded")
    case .failure(let diagnostics): return diagnostics.items
    }
}

/// `line:column: message` of each diagnostic, for compact expectations.
func summaries(_ items: [Diagnostic]) -> [String] {
    items.map { "\($0.location.line):\($0.location.column): \($0.message)" }
}
