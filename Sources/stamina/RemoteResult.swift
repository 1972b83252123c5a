// A finished job's result document (`GET /v1/jobs/{id}/result`) as `stamina check` prints it: the
// results block of each property, or the `--json` document of a local run. The server stores the
// engine's document (keys sorted) plus a `run` member; it is read back with the contract's types
// (`JobResultDocument`) and written again by the local run's own writer, so remote and local output
// are the same text.

import EngineContract
import Foundation
import OrderedJSON
import PRISM
import StaminaEngine
import StaminaServer

struct RemoteResult {
    let document: JobResultDocument

    /// The engine's failure (`{"error": {kind, code, message, diagnostics}}`), if the run failed.
    var engineError: CheckFailureDocument.Failure? { document.engine.failure }

    /// The local `--json` document: without the server's `run` member, naming the local files.
    func localJSON(model: String, properties: String?) -> String {
        switch document.engine {
        case .result(var result):
            result.model.file = model
            result.model.propertiesFile = properties
            return CheckJSONReport.rendered(result)
        case .failure(let failure):
            return ((try? JSONTextEncoder().encode(CheckFailureDocument(error: failure))) ?? .null).rendered
        case .none:
            return JSONText.null.rendered
        }
    }

    /// The results block of each property, written by the local run's own `CheckTextReport` from
    /// the engine's document read back, so that remote and local output cannot drift apart.
    var resultsBlocks: [String] {
        guard let result = document.engine.result else { return [] }
        let settings = Self.settings(result.parameters)
        return result.properties.enumerated().map { index, property in
            CheckTextReport.block(
                Self.report(property, index: index), initial: result.initialStates, settings: settings)
        }
    }

    /// The settings the engine ran with, as its `parameters` member gives them.
    static func settings(_ parameters: CheckResult.Parameters) -> CheckSettings {
        var settings = CheckSettings()
        settings.window = parameters.window
        settings.relativeWindow = parameters.relativeWindow
        settings.maxIterations = parameters.maxIterations
        settings.exact = parameters.exact
        return settings
    }

    /// A property of the `--json` document as the engine's `PropertyReport`.
    static func report(_ property: PropertyResult, index: Int) -> PropertyReport {
        var report = PropertyReport(index: index, name: property.name, text: property.text)
        report.kind = property.kind.flatMap(PropertyKind.init(rawValue:))
        report.pmin = property.pmin
        report.pmax = property.pmax
        report.windowReached = property.windowReached
        report.verdict = property.verdict.flatMap(Verdict.init(rawValue:))
        report.states = property.states
        report.transitions = property.transitions
        report.stoppedBy = property.stoppedBy.flatMap(StopReason.init(rawValue:))
        report.initialStateCount = property.initialStateCount
        report.initialValues = property.initialStates.map {
            InitialStateValue(state: $0.state, pmin: $0.pmin, pmax: $0.pmax)
        }
        report.filter = property.filter.flatMap(filter)
        report.error = property.error.map { PropertyError(code: $0.code, message: $0.message) }
        return report
    }

    /// A `filter` answer read back as the engine's `FilterReport`.
    static func filter(_ result: FilterResult) -> FilterReport? {
        guard let op = FilterOperator(rawValue: result.operator) else { return nil }
        func interval(_ v: FilterResult.Interval?) -> ValueInterval? {
            v.map { ValueInterval(lower: $0.lower, upper: $0.upper) }
        }
        var report = FilterReport(op: op, statesText: result.states, matched: result.matched, open: result.open)
        report.decided = result.decided
        report.value = interval(result.value)
        report.minimum = interval(result.minimum)
        report.maximum = interval(result.maximum)
        report.verdict = result.verdict.flatMap(Verdict.init(rawValue:))
        report.stateCount = result.listedCount
        report.states = result.listed.map {
            FilterStateValue(
                state: $0.state, pmin: $0.pmin, pmax: $0.pmax, verdict: $0.verdict.flatMap(Verdict.init(rawValue:)))
        }
        return report
    }
}
