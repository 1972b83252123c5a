// The result of a finished job (`GET /v1/jobs/{id}/result`): the engine's `--json` document as the
// contract types read it (a `CheckResult` or a failure's `error`), plus `run`, what only the server
// knows (outcome, attempt, wall and CPU seconds, peak memory, exit code or signal). Stored once,
// keys sorted, written by the one JSON writer; `stamina check --server` and `stamina jobs show`
// read it back with `JobResultDocument`.

import EngineContract
import Foundation
import OrderedJSON

/// What the server adds to the engine's document.
public struct RunSummary: Codable, Sendable, Equatable {
    public var state: String
    public var attempt: Int
    public var wallSeconds: Double
    /// The larger of the engine's own figure and worker-exec's `wait4` figure.
    public var peakMemoryBytes: Int
    public var cpuSeconds: Double?
    public var failureReason: String?
    public var message: String?
    public var exitCode: Int?
    public var signal: Int?
}

/// The stored result document, read back.
public struct JobResultDocument: Decodable, Sendable, Equatable {
    public var engine: EngineOutput
    public var run: RunSummary?

    enum CodingKeys: String, CodingKey { case run, error, properties }

    public init(engine: EngineOutput, run: RunSummary?) {
        self.engine = engine
        self.run = run
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        run = try c.decodeIfPresent(RunSummary.self, forKey: .run)
        if c.contains(.error) {
            engine = .failure(try c.decode(CheckFailureDocument.Failure.self, forKey: .error))
        } else if c.contains(.properties) {
            engine = .result(try CheckResult(from: decoder))
        } else {
            engine = .none
        }
    }

    /// The document's text: the engine's members and `run`, every object's keys sorted.
    public var text: String? {
        let encoder = JSONTextEncoder()
        var members: [(String, JSONText)] = []
        do {
            let engineText: JSONText
            switch engine {
            case .result(let result): engineText = try encoder.encode(result)
            case .failure(let failure): engineText = try encoder.encode(CheckFailureDocument(error: failure))
            case .none: engineText = .object([])
            }
            if case .object(let engineMembers) = engineText { members = engineMembers }
            if let run { members.append(("run", try encoder.encode(run))) }
        } catch {
            return nil
        }
        return JSONText.object(members).sortingKeys.rendered
    }
}

enum ResultDocument {
    static func make(
        engine: EngineOutput, outcome: JobOutcome, child: ChildStatus?, wallSeconds: Double, job: JobRecord
    ) -> String? {
        let run = RunSummary(
            state: outcome.state.rawValue, attempt: job.attempts, wallSeconds: wallSeconds,
            peakMemoryBytes: max(engine.result?.peakMemoryBytes ?? 0, child?.maxRSSBytes ?? 0),
            cpuSeconds: child.map { $0.userSeconds + $0.systemSeconds }, failureReason: outcome.reason?.rawValue,
            message: outcome.message, exitCode: child?.exitCode.map(Int.init), signal: child?.signal.map(Int.init))
        return JobResultDocument(engine: engine, run: run).text
    }
}
