import PRISM

/// The real submission check: the PRISM front end parses and checks the model and properties with
/// the job's constants, and every diagnostic it finds comes back with file, line and column.
public struct FrontEndValidator: ModelValidator {
    public init() {}

    public func validate(model: SourceFile, properties: SourceFile, constants: String) -> [ModelDiagnostic] {
        let overrides: ConstantOverrides
        do {
            overrides = constants.isEmpty ? .none : try ConstantOverrides(parsing: constants)
        } catch {
            return error.items.map(Self.diagnostic)
        }
        let result = FrontEnd.check(
            model: SourceText(name: model.name, text: model.text),
            properties: SourceText(name: properties.name, text: properties.text), constants: overrides)
        switch result {
        case .success: return []
        case .failure(let diagnostics): return diagnostics.items.map(Self.diagnostic)
        }
    }

    static func diagnostic(_ item: Diagnostic) -> ModelDiagnostic {
        ModelDiagnostic(
            file: item.location.file, line: item.location.line, column: item.location.column, message: item.message,
            text: item.description)
    }
}
