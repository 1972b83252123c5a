// `stamina check MODEL PROPS`: parse and check the model, run STAMINA (or an exact exploration),
// print sstamina's results block (or one JSON object with --json), write exports.
// Exit codes, flags and the JSON document are the engine contract's (Sources/EngineContract).

import ArgumentParser
import EngineContract
import Foundation
import OrderedJSON
import PRISM
import StaminaEngine

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compute certified probability bounds for CSL properties of a CTMC (STAMINA).")

    @Argument(help: "The PRISM model file (ctmc).") var model: String
    @Argument(help: "The properties file.") var properties: String?

    // Numbers are read as text so that a bad value is an input error with exit code 1. Every name
    // comes from the engine contract's `CheckOption`, which also writes the server's argv.
    @Option(name: .named(.kappa), help: "Initial reachability threshold (1.0).") var kappa: String?
    @Option(name: .named(.reduceKappa), help: "Kappa reduction factor (1.25).") var reduceKappa: String?
    @Option(name: .named(.approxFactor), help: "Misprediction factor m (2.0).") var approxFactor: String?
    @Option(name: .named(.window), help: "Probability window (1e-3).") var probWin: String?
    @Flag(name: .named(.relative), help: "The window is relative: stop when Pmax - Pmin <= window x Pmin.")
    var relative = false
    @Option(name: .named(.maxIterations), help: "Refinement rounds (10).") var maxApproxCount: String?
    @Flag(name: .named(.noPropertyTruncation), help: "No property-based truncation.") var noPropRefine = false
    @Flag(name: .customShort(CheckRequest.Method.iterative.shortFlag), help: "Iterative method (default).")
    var iterative = false
    @Flag(name: .customShort(CheckRequest.Method.reexploring.shortFlag), help: "Re-exploring method.")
    var reexploring = false
    @Flag(name: .customShort(CheckRequest.Method.priority.shortFlag), help: "Priority method.") var priority = false
    @Option(name: .named(.method), help: "iterative, reexploring or priority.") var method: String?
    @Option(name: .named(.exportDot), help: "Write the final model as Graphviz dot.") var exportDot: String?
    @Option(name: .named(.exportTransitions), help: "Write `from to rate` lines.") var exportTrans: String?
    @Option(name: .named(.exportDRN), help: "Write the final model in Storm's DRN format.") var exportDRN: String?
    @Option(name: .named(.threads), help: "Threads for the numerics.") var threads: String?
    @Flag(name: .named(.quiet), help: "Only results and errors.") var quiet = false
    @Option(
        name: .named(.constants),
        help: "Constant values, e.g. \"N=10,x=2\"; ranges start:end or start:step:end run an experiment.")
    var constants: String?
    @Option(name: .named(.csv), help: "Write the results (one row per valuation and property) as CSV.")
    var csv: String?
    @Option(name: .named(.property), help: "Check only the property with this name (repeatable).")
    var propertyNames: [String] = []
    @Flag(name: .named(.exact), help: "Explore the whole model (no truncation).") var exact = false
    @Flag(name: .named(.json), help: "Print one JSON object on stdout.") var json = false
    @Option(name: .named(.events), help: "Append JSON progress events to this file.") var events: String?
    @Option(name: .named(.timeLimit), help: "Stop after this many seconds (partial results).") var timeLimit: String?
    @Option(name: .named(.maxStates), help: "Stop exploring beyond this many states.") var maxStates: String?
    @Option(name: .customLong("server"), help: "Run the check on this STAMINA server (its /v1 API) instead.")
    var server: String?
    @Option(
        name: .customLong("token"), help: "Bearer token for --server (default: STAMINA_TOKEN, then the client file).")
    var token: String?
    /// Unknown options land here so that they are an input error (exit 1), not a usage error.
    @Argument(parsing: .allUnrecognized, help: .hidden) var unrecognized: [String] = []

    func run() async throws {
        if let server { return try await RemoteCheck(command: self, server: server).run() }
        let started = ContinuousClock.now
        do {
            let reporter = try CheckReporter(quiet: quiet, eventsPath: events)
            try execute(reporter: reporter, started: started)
        } catch let failure {
            if json { print(failure.json.rendered) }
            CheckReporter.standardError("[ERROR]: \(failure.message)\n")
            throw ExitCode(failure.exitCode)
        }
    }

    private static func number(_ text: String?, _ option: CheckOption) throws(CheckFailure) -> Double? {
        guard let text else { return nil }
        guard let parsed = Double(text) else {
            throw .input("BAD_FLAG", "\(option.flag) expects a number, got '\(text)'")
        }
        return parsed
    }

    private static func integer(_ text: String?, _ option: CheckOption) throws(CheckFailure) -> Int? {
        guard let text else { return nil }
        guard let parsed = Int(text) else {
            throw .input("BAD_FLAG", "\(option.flag) expects an integer, got '\(text)'")
        }
        return parsed
    }

    /// The flags as the contract's request, checked against its one table of ranges.
    func request() throws(CheckFailure) -> CheckRequest {
        if let unknown = unrecognized.first {
            throw .input("BAD_FLAG", "unknown option or extra argument '\(unknown)'; see 'stamina check --help'")
        }
        var request = CheckRequest(model: model, properties: properties)
        if let value = try Self.number(kappa, .kappa) { request.kappa = value }
        if let value = try Self.number(reduceKappa, .reduceKappa) { request.reduceKappa = value }
        if let value = try Self.number(approxFactor, .approxFactor) { request.approxFactor = value }
        if let value = try Self.number(probWin, .window) { request.window = value }
        if let value = try Self.integer(maxApproxCount, .maxIterations) { request.maxIterations = value }
        request.threads = try Self.integer(threads, .threads)
        request.maxStates = try Self.integer(maxStates, .maxStates)
        request.timeLimit = try Self.number(timeLimit, .timeLimit)
        request.propertyTruncation = !noPropRefine
        request.exact = exact
        request.relativeWindow = relative
        request.constants = constants ?? ""
        request.propertyNames = propertyNames
        request.json = json
        request.events = events
        request.exportDot = exportDot
        request.exportTransitions = exportTrans
        request.exportDRN = exportDRN
        request.csv = csv
        request.quiet = quiet
        var chosen: [CheckRequest.Method] = []
        if iterative { chosen.append(.iterative) }
        if reexploring { chosen.append(.reexploring) }
        if priority { chosen.append(.priority) }
        if let method {
            guard let parsed = CheckRequest.Method(rawValue: method) else {
                throw .input("BAD_FLAG", "--method expects iterative, reexploring or priority, got '\(method)'")
            }
            chosen.append(parsed)
        }
        if Set(chosen).count > 1 { throw .input("BAD_FLAG", "choose one method (-I, -J, -P or --method)") }
        request.method = chosen.first ?? .iterative
        if let problem = request.validate().first {
            throw .input("BAD_FLAG", "\(problem.option.flag): \(problem.message)")
        }
        return request
    }

    /// The engine's settings for a checked request.
    static func settings(_ request: CheckRequest) -> CheckSettings {
        var settings = CheckSettings()
        settings.kappa = request.kappa
        settings.reduceKappa = request.reduceKappa
        settings.approxFactor = request.approxFactor
        settings.window = request.window
        settings.maxIterations = request.maxIterations
        settings.threads = request.threads ?? 1
        settings.maxStates = request.maxStates
        settings.timeLimit = request.timeLimit
        settings.propertyTruncation = request.propertyTruncation
        settings.exact = request.exact
        settings.relativeWindow = request.relativeWindow
        settings.method = ExplorationMethod(rawValue: request.method.rawValue) ?? .iterative
        return settings
    }

    private func read(_ path: String) throws(CheckFailure) -> SourceText {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { throw .input("FILE_NOT_FOUND", "cannot read '\(path)'") }
        return SourceText(name: path, text: text)
    }

    private static func failure(_ diagnostics: Diagnostics) -> CheckFailure {
        var failure = CheckFailure.input("PARSE_ERROR", diagnostics.items.first?.message ?? "invalid input")
        failure.message = diagnostics.description
        failure.diagnostics = diagnostics.items.map {
            ($0.location.file, $0.location.line, $0.location.column, $0.message)
        }
        return failure
    }

    private func execute(reporter: CheckReporter, started: ContinuousClock.Instant) throws(CheckFailure) {
        let settings = Self.settings(try request())
        let modelSource = try read(model)
        let propertiesSource = try properties.map { (path) throws(CheckFailure) in try read(path) }
        let experiment: ConstantExperiment
        do {
            experiment = try ConstantExperiment(parsing: constants ?? "")
        } catch {
            throw Self.failure(error)
        }
        reporter.info("Model: \(model)\(properties.map { ", properties: \($0)" } ?? "")")
        reporter.info(
            "Method: \(settings.exact ? "exact (full exploration)" : settings.method.rawValue), kappa \(settings.kappa), reduceKappa \(settings.reduceKappa), approxFactor \(settings.approxFactor), window \(settings.window)\(settings.relativeWindow ? " (relative)" : ""), rounds \(settings.maxIterations)"
        )
        // One check run per valuation of the constant ranges (one run without ranges).
        var results: [ValuationResult] = []
        let count = max(1, experiment.valuations.count)
        for valuation in 0..<count {
            let constants =
                experiment.isExperiment ? Array(zip(experiment.varying, experiment.valuations[valuation])) : []
            if !constants.isEmpty {
                reporter.info("Constants: \(constants.map { "\($0.0)=\($0.1)" }.joined(separator: ", "))")
            }
            let program: CheckedProgram
            switch FrontEnd.check(
                model: modelSource, properties: propertiesSource, constants: experiment.overrides(valuation))
            {
            case .success(let checked): program = checked
            case .failure(let diagnostics): throw Self.failure(diagnostics)
            }
            let selected = try select(program)
            let report: RunReport
            let run: CheckRun
            do throws(EngineError) {
                run = try CheckRun(model: program.model, properties: selected, settings: settings)
                report = try run.run(observer: reporter)
            } catch {
                reporter.finishProgress()
                var failure = CheckFailure(
                    kind: error.isInputError ? .input : .engine, code: error.code, message: error.description)
                if case .unboundedVariableInInitBlock(_, let location?) = error {
                    // Located like a parse error, so that the JSON's diagnostics point at it too.
                    let message = error.description.dropFirst("\(location): ".count)
                    failure.diagnostics = [(location.file, location.line, location.column, String(message))]
                }
                throw failure
            }
            reporter.finishProgress()
            // Exports are of the last valuation's model.
            if valuation == count - 1 { try writeExports(run, reporter) }
            results.append(ValuationResult(constants: constants, program: program, report: report))
        }
        reporter.stopProgress()
        let all = results.flatMap(\.report.properties)
        let refused = all.filter { $0.error != nil }
        if !refused.isEmpty && refused.count == all.count, let first = refused.first?.error {
            // Nothing was computed: an input error when properties were refused, else an engine error.
            let kind: CheckFailureDocument.Kind = first.code == "UNSUPPORTED_PROPERTY" ? .input : .engine
            throw CheckFailure(kind: kind, code: first.code, message: first.message)
        }
        if let csv {
            guard
                FileManager.default.createFile(
                    atPath: csv, contents: Data(CheckExperimentTable.csv(results, settings: settings).utf8))
            else { throw .input("IO_ERROR", "cannot write '\(csv)'") }
        }
        if json {
            print(
                CheckJSONReport.rendered(CheckJSONReport.make(results, settings: settings, files: (model, properties))))
        } else if experiment.isExperiment {
            print(CheckExperimentTable.text(results, settings: settings))
        } else if let result = results.first {
            for property in result.report.properties {
                print(CheckTextReport.block(property, initial: result.report.initialStates, settings: settings))
            }
        }
        reporter.line("MESSAGE", "Finished running!")
    }

    /// The properties `--property` selects (all without it).
    private func select(_ program: CheckedProgram) throws(CheckFailure) -> [CheckedProperty] {
        guard !propertyNames.isEmpty else { return program.properties }
        for name in propertyNames where !program.properties.contains(where: { $0.name == name }) {
            throw .input("UNKNOWN_PROPERTY", "no property named \"\(name)\" in the properties file")
        }
        return program.properties.filter { property in property.name.map(propertyNames.contains) ?? false }
    }

    private func writeExports(_ run: CheckRun, _ reporter: CheckReporter) throws(CheckFailure) {
        guard exportDot != nil || exportTrans != nil || exportDRN != nil else { return }
        let exported: ExportedModel
        do throws(EngineError) {
            exported = try run.finalModel()
        } catch {
            throw CheckFailure(kind: .engine, code: error.code, message: error.description)
        }
        for (path, format) in [(exportDot, "dot"), (exportTrans, "transitions"), (exportDRN, "drn")] {
            guard let path else { continue }
            var text = ""
            switch format {
            case "dot": exported.writeDot(to: &text)
            case "drn": exported.writeDRN(to: &text)
            default: exported.writeTransitions(to: &text)
            }
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
                throw .input("IO_ERROR", "cannot write '\(path)'")
            }
            reporter.info("Wrote \(format) export to \(path) (\(exported.stateCount) states)")
        }
    }
}

extension NameSpecification {
    /// A flag of the engine contract: its one-letter name (if any) and its long name.
    static func named(_ option: CheckOption) -> NameSpecification {
        var names: [NameSpecification.Element] = [.customLong(option.long)]
        if let short = option.short { names.insert(.customShort(short), at: 0) }
        return NameSpecification(names)
    }
}
