import Foundation

/// The result of a finished job: the engine's JSON object (per property Pmin, Pmax, window,
/// states, transitions, iterations, kappa, times; the engine version and exact parameters) plus
/// what only the server knows: the outcome, wall and CPU seconds, peak memory.
enum ResultDocument {
    static func make(
        engineJSON: [String: Any]?, outcome: JobOutcome, child: ChildStatus?, wallSeconds: Double, job: JobRecord
    ) -> String? {
        var document = engineJSON ?? [:]
        let enginePeak = JobLog.number(engineJSON?["peakMemoryBytes"]).map { Int($0) } ?? 0
        var run: [String: Any] = [
            "state": outcome.state.rawValue,
            "attempt": job.attempts,
            "wallSeconds": wallSeconds,
            "peakMemoryBytes": max(enginePeak, child?.maxRSSBytes ?? 0),
        ]
        if let child { run["cpuSeconds"] = child.userSeconds + child.systemSeconds }
        if let reason = outcome.reason { run["failureReason"] = reason.rawValue }
        if let message = outcome.message { run["message"] = message }
        if let code = child?.exitCode { run["exitCode"] = Int(code) }
        if let signal = child?.signal { run["signal"] = Int(signal) }
        document["run"] = run
        guard let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]) else {
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }
}
