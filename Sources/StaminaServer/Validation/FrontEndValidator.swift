import PRISM

/// The real submission check: the PRISM front end parses and checks the model and properties with
/// the job's constants, and every diagnostic it finds comes back with file, line and column.
public struct FrontEndValidator: ModelValidator {
    public init() {}

    public func validate(model: SourceFile, properties: SourceFile, constants: String) -> [ModelDiagnostic] {
        // Ranges (`N=1:2:9`) are an experiment, run by the engine once per valuation; its first
        // and last valuations are checked here.
        let experiment: ConstantExperiment
        do {
            experiment = try ConstantExperiment(parsing: constants)
        } catch {
            return error.items.map(Self.diagnostic)
        }
        for valuation in Set([0, max(0, experiment.valuations.count - 1)]).sorted() {
            let result = FrontEnd.check(
                model: SourceText(name: model.name, text: model.text),
                properties: SourceText(name: properties.name, text: properties.text),
                constants: experiment.overrides(valuation))
            if case .failure(let diagnostics) = result { return diagnostics.items.map(Self.diagnostic) }
        }
        return []
    }

    static func diagnostic(_ item: Diagnostic) -> ModelDiagnostic {
        ModelDiagnostic(
            file: item.location.file, line: item.location.line, column: item.location.column, message: item.message,
            text: item.description)
    }
}
