// The engine contract against real runs: `stamina check --json --events` on corpus models, read
// back only through the contract's types. What is asserted could be wrong: each truncated
// interval must meet the `--exact` run's interval (both are certified, so they share the true
// value), the events file must tell the same rounds and bounds as the document, state counts must
// be positive, experiments give one result per valuation, and failures decode with their location.

import EngineContract
import Foundation
import Testing

@Suite("Engine contract golden runs", .serialized)
struct EngineContractGoldenTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Corpus").path

    struct Run {
        var status: Int32
        var stdout: Data
        var events: [ProgressEvent]
    }

    /// `stamina check ARGS --json -q --events FILE` in the corpus folder.
    static func check(_ arguments: [String]) throws -> Run {
        let events = RunningServer.temporaryDirectory() + "/events.jsonl"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RunningServer.staminaBinary)
        process.arguments = ["check"] + arguments + ["--json", "-q", "--events", events]
        process.currentDirectoryURL = URL(fileURLWithPath: corpus)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = (try? String(contentsOfFile: events, encoding: .utf8)) ?? ""
        let decoded = try lines.split(separator: "\n").map {
            try JSONDecoder().decode(ProgressEvent.self, from: Data($0.utf8))
        }
        return Run(status: process.terminationStatus, stdout: stdout, events: decoded)
    }

    static let cases: [[String]] = [
        ["models/tandem_small.prism", "properties/tandem_small.csl", "--const", "c=10"],
        ["models/mm1_bounded.prism", "properties/mm1_bounded.csl", "--const", "N=5"],
        ["models/polling.prism", "properties/polling.csl"],
        ["models/enzyme.prism", "properties/enzyme.csl"],
    ]

    @Test(arguments: cases)
    func aTruncatedRunMeetsTheExactRunAndItsEventsTellTheSame(arguments: [String]) throws {
        let truncated = try Self.check(arguments + ["-J", "-k", "0.5"])
        #expect(truncated.status == EngineExitCode.success.rawValue)
        let result = try JSONDecoder().decode(CheckResult.self, from: truncated.stdout)
        #expect(result.engine.name == "stamina")
        #expect(result.model.file == arguments[0])
        #expect(result.model.propertiesFile == arguments[1])
        #expect(result.parameters.method == .reexploring)
        #expect(result.parameters.kappa == 0.5)
        #expect(result.states > 0 && result.transitions > 0 && result.initialStates == 1)
        #expect(result.peakMemoryBytes > 0)
        #expect(!result.properties.isEmpty)

        let exact = try JSONDecoder().decode(CheckResult.self, from: try Self.check(arguments + ["--exact"]).stdout)
        #expect(exact.parameters.exact)
        #expect(exact.properties.count == result.properties.count)
        for (property, whole) in zip(result.properties, exact.properties) {
            #expect(property.text == whole.text)
            guard let pmin = property.pmin, let pmax = property.pmax else {
                // Not computed on a truncated model: it says why.
                #expect(property.status == .notComputed)
                #expect(property.error?.code.isEmpty == false)
                continue
            }
            #expect(pmin <= pmax)
            #expect((property.states ?? 0) > 0)
            #expect(property.status == (property.windowReached == true ? .computed : .partial))
            #expect(property.initialStates.first.map { [$0.pmin, $0.pmax] } == [pmin, pmax])
            let (low, high) = (try #require(whole.pmin), try #require(whole.pmax))
            #expect(
                max(pmin, low) <= min(pmax, high) + 1e-12,
                "\(property.text): [\(pmin), \(pmax)] vs exact [\(low), \(high)]")
            if let last = property.rounds.last {
                #expect(last.pmin <= last.pmax && last.states > 0)
            }
        }

        // The events: per property, its rounds as the document has them, then one property event
        // with the document's bounds.
        var events = truncated.events[...]
        for (index, property) in result.properties.enumerated() {
            for round in property.rounds {
                #expect(events.popFirst() == .round(.init(property: index, round: round)))
            }
            #expect(
                events.popFirst()
                    == .property(
                        .init(
                            property: index, pmin: property.pmin, pmax: property.pmax,
                            windowReached: property.windowReached)))
        }
        #expect(events.isEmpty)
    }

    @Test func anExperimentGivesOneResultPerValuation() throws {
        let run = try Self.check(["models/mm1_bounded.prism", "properties/mm1_bounded.csl", "--const", "N=3:2:7"])
        #expect(run.status == 0)
        let result = try JSONDecoder().decode(CheckResult.self, from: run.stdout)
        let perValuation = result.properties.count / 3
        #expect(perValuation > 0 && result.properties.count == 3 * perValuation)
        let values = result.properties.map { $0.constants["N"] }
        #expect(values == [3, 5, 7].flatMap { Array(repeating: ConstantValue.integer($0), count: perValuation) })
        #expect(result.model.constants["N"] == .integer(7))  // the last valuation's model
        // A larger queue is full less often: P=? [ F<=2 q=N ] falls with N.
        let full = result.properties.filter { $0.text == "P=? [ F<=2 q=N ]" }.compactMap(\.pmax)
        #expect(full.count == 3 && full[0] > full[1] && full[1] > full[2])
    }

    @Test func failuresDecodeWithTheirKindAndLocation() throws {
        let undefined = try Self.check(["models/tandem_small.prism", "properties/tandem_small.csl"])
        #expect(undefined.status == EngineExitCode.inputError.rawValue)
        let document = try JSONDecoder().decode(CheckFailureDocument.self, from: undefined.stdout)
        #expect(document.error.kind == .input)
        #expect(document.error.code == "PARSE_ERROR")
        let location = try #require(document.error.diagnostics.first)
        #expect(location.file == "models/tandem_small.prism" && location.line > 1 && location.column > 1)
        #expect(undefined.events.isEmpty)

        let badFlag = try Self.check(["models/polling.prism", "properties/polling.csl", "-w", "5"])
        #expect(badFlag.status == EngineExitCode.inputError.rawValue)
        let refused = try JSONDecoder().decode(CheckFailureDocument.self, from: badFlag.stdout)
        #expect(refused.error.code == "BAD_FLAG")
        #expect(refused.error.message.contains("--probWin"))
    }
}
