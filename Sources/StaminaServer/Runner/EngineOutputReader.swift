// Reads what an engine run left in its job directory through the contract's types: stdout's
// `--json` document and worker-exec's status file. Nothing else in the server parses engine
// output; a file that does not decode is treated as absent (a crash or a kill mid-write).

import EngineContract
import Foundation

enum EngineOutputReader {
    /// The `--json` document on stdout: a result, a failure, or none.
    static func output(_ stdout: String) -> EngineOutput {
        let data = Data(stdout.utf8)
        let decoder = JSONDecoder()
        if let failure = try? decoder.decode(CheckFailureDocument.self, from: data) { return .failure(failure.error) }
        if let result = try? decoder.decode(CheckResult.self, from: data) { return .result(result) }
        return .none
    }

    /// worker-exec's status file (nil when it left none or a torn one).
    static func childStatus(_ text: String?) -> ChildStatus? {
        text.flatMap { try? JSONDecoder().decode(ChildStatus.self, from: Data($0.utf8)) }
    }

    /// One line of the events file (nil when it is not a contract event).
    static func event(_ line: String) -> ProgressEvent? {
        try? JSONDecoder().decode(ProgressEvent.self, from: Data(line.utf8))
    }
}
