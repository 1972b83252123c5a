// PRISM: the PRISM modelling language and CSL properties, from text to a checked model.
//
// Data flows text -> tokens (`Syntax/Lexer`) -> syntax tree (`Syntax/*Parser`) -> checked model
// (`Semantics/`), and every problem becomes a located `Diagnostic`. The output types live in
// `Checked/` and are the contract with the engine. This target must not depend on the engine,
// on numerics, on HTTP or on any package: it knows the language only.

/// A checked model and its checked properties, ready for the engine.
public struct CheckedProgram: Sendable {
    public var model: CheckedModel
    public var properties: [CheckedProperty]

    public init(model: CheckedModel, properties: [CheckedProperty]) {
        self.model = model
        self.properties = properties
    }
}

public enum FrontEnd {
    /// Parses and checks the model and (optionally) a properties file, binding constants.
    /// Never throws halfway: returns the checked program or every located diagnostic it found.
    public static func check(
        model: SourceText, properties: SourceText?, constants: ConstantOverrides
    ) -> Result<CheckedProgram, Diagnostics> {
        let modelFile = SourceFile(model)
        var modelParser = Parser(file: modelFile)
        let modelSyntax = modelParser.parseModel()
        var syntaxErrors = modelParser.diagnostics

        let propertiesFile = properties.map(SourceFile.init)
        var propertiesSyntax = PropertiesSyntax()
        if let propertiesFile {
            var propertiesParser = Parser(file: propertiesFile)
            propertiesSyntax = propertiesParser.parseProperties()
            syntaxErrors += propertiesParser.diagnostics
        }
        // Checking a broken tree mostly repeats the syntax errors in other words.
        guard syntaxErrors.isEmpty else { return .failure(Diagnostics(syntaxErrors)) }

        var checker = Checker(model: modelFile, properties: propertiesFile)
        checker.declareConstants(modelSyntax.constants, in: .model)
        checker.declareFormulas(modelSyntax.formulas, in: .model)
        checker.declareLabels(modelSyntax.labels, in: .model)
        checker.declareConstants(propertiesSyntax.constants, in: .properties)
        checker.declareFormulas(propertiesSyntax.formulas, in: .properties)
        checker.declareLabels(propertiesSyntax.labels, in: .properties)
        checker.applyOverrides(constants)

        let checkedModel = checker.checkModel(modelSyntax)
        var checkedProperties: [CheckedProperty] = []
        for property in propertiesSyntax.properties {
            if let checked = checker.checkProperty(property, rewards: checkedModel.rewards) {
                checkedProperties.append(checked)
            }
        }
        for index in checker.constants.indices where checker.constants[index].file == .properties {
            let entry = checker.constants[index]
            if entry.definition != nil || entry.override != nil {
                _ = checker.constantValue(index, usedAt: entry.name.offset, in: .properties)
            }
        }
        checker.reportUndefinedConstants()

        guard checker.diagnostics.isEmpty else {
            return .failure(Diagnostics(FrontEnd.sorted(checker.diagnostics, modelName: model.name)))
        }
        return .success(CheckedProgram(model: checkedModel, properties: checkedProperties))
    }

    /// `--const` problems first, then the model's, then the properties', each in line order.
    static func sorted(_ diagnostics: [Diagnostic], modelName: String) -> [Diagnostic] {
        func rank(_ diagnostic: Diagnostic) -> Int {
            diagnostic.location.file == "--const" ? 0 : diagnostic.location.file == modelName ? 1 : 2
        }
        var seen: Set<Diagnostic> = []
        let unique = diagnostics.filter { seen.insert($0).inserted }
        return unique.enumerated().sorted { a, b in
            let (x, y) = (a.element.location, b.element.location)
            let key1 = (rank(a.element), x.line, x.column, a.offset)
            let key2 = (rank(b.element), y.line, y.column, b.offset)
            return key1 < key2
        }.map(\.element)
    }
}
