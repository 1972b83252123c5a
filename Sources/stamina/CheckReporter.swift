// Where `stamina check` sends what happens: `[INFO]:` lines on stderr, and JSON lines in the
// `--events` file (flushed per line, the server tails it). Runs longer than a second also show
// their progress (property, round, states explored, states/s, the last round's bounds, elapsed):
// a live line rewritten in place when stderr is a terminal, a plain `[INFO]: progress` line every
// ten seconds when it is not, nothing with `-q`. A timer thread draws it, so that a long solve,
// which reports nothing itself, still shows the time going by; a lock keeps it and the engine's
// own lines apart.

import EngineContract
import Foundation
import OrderedJSON
import StaminaEngine

final class CheckReporter: CheckObserver, @unchecked Sendable {
    let quiet: Bool
    let events: UnsafeMutablePointer<FILE>?
    let isTerminal = isatty(STDERR_FILENO) != 0
    /// Guards everything below, which the timer thread reads.
    private let lock = NSLock()
    private var progressShown = false
    private let started = ContinuousClock.now
    private var lastPlainProgress = ContinuousClock.now
    private var property = 0
    private var round = 0
    private var states = 0
    private var statesAt: (states: Int, time: ContinuousClock.Instant) = (0, ContinuousClock.now)
    private var statesPerSecond = 0.0
    private var bounds: (Double, Double)?
    private var timer: DispatchSourceTimer?
    static let plainProgressInterval = Duration.seconds(10)

    init(quiet: Bool, eventsPath: String?) throws(CheckFailure) {
        self.quiet = quiet
        if let eventsPath {
            guard let file = fopen(eventsPath, "a") else {
                throw CheckFailure.input("IO_ERROR", "cannot open events file '\(eventsPath)' for writing")
            }
            events = file
        } else {
            events = nil
        }
        if !quiet {
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now() + 1, repeating: isTerminal ? 0.25 : 1)
            timer.setEventHandler { [weak self] in self?.drawProgress() }
            timer.resume()
            self.timer = timer
        }
    }

    deinit {
        timer?.cancel()
        if let events { fclose(events) }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// The progress text; the caller holds the lock.
    private func progressText(now: ContinuousClock.Instant) -> String {
        var parts = ["property \(property + 1)", "round \(round + 1)", "\(states) states"]
        if statesPerSecond > 0 { parts.append(String(format: "%.0f states/s", statesPerSecond)) }
        if let bounds { parts.append(String(format: "bounds [%.6g, %.6g]", bounds.0, bounds.1)) }
        parts.append(String(format: "%.1f s", Self.seconds(now - started)))
        return parts.joined(separator: ", ")
    }

    private func drawProgress() {
        lock.lock()
        defer { lock.unlock() }
        let now = ContinuousClock.now
        if isTerminal {
            Self.standardError("\r\u{1B}[K[INFO]: \(progressText(now: now))")
            progressShown = true
        } else if now - lastPlainProgress >= Self.plainProgressInterval {
            lastPlainProgress = now
            Self.standardError("[INFO]: progress: \(progressText(now: now))\n")
        }
    }

    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    func info(_ text: String) {
        guard !quiet else { return }
        lock.lock()
        defer { lock.unlock() }
        clearProgress()
        Self.standardError("[INFO]: \(text)\n")
    }

    func line(_ prefix: String, _ text: String) {
        lock.lock()
        defer { lock.unlock() }
        clearProgress()
        Self.standardError("[\(prefix)]: \(text)\n")
    }

    /// The caller holds the lock.
    private func clearProgress() {
        if progressShown {
            Self.standardError("\r\u{1B}[K")
            progressShown = false
        }
    }

    /// One line of the events file, written from the contract's `ProgressEvent`.
    private func event(_ value: ProgressEvent) {
        guard let events, let line = try? JSONTextEncoder().encode(value) else { return }
        fputs(line.rendered + "\n", events)
        fflush(events)
    }

    func round(property: Int, _ round: RoundReport) {
        lock.lock()
        self.property = property
        self.round = round.iteration
        bounds = (round.pmin, round.pmax)
        states = round.states
        lock.unlock()
        info(
            "Property \(property + 1), round \(round.iteration): kappa \(round.kappa), \(round.states) states, \(round.transitions) transitions, \(round.frontier) frontier, Pmin \(round.pmin), Pmax \(round.pmax)"
        )
        event(.round(.init(property: property, round: CheckJSONReport.round(round))))
    }

    func propertyFinished(_ report: PropertyReport) {
        lock.lock()
        property = report.index + 1
        round = 0
        bounds = nil
        lock.unlock()
        if let error = report.error {
            line("WARNING", "property \(report.text): \(error.message)")
        }
        event(
            .property(
                .init(
                    property: report.index, pmin: report.pmin, pmax: report.pmax,
                    windowReached: report.windowReached)))
    }

    func message(_ text: String) { info(text) }

    func progress(states: Int, kappa: Double) {
        lock.lock()
        defer { lock.unlock() }
        let now = ContinuousClock.now
        let elapsed = Self.seconds(now - statesAt.time)
        if elapsed >= 0.5 {
            statesPerSecond = Double(max(0, states - statesAt.states)) / elapsed
            statesAt = (states, now)
        }
        self.states = states
    }

    func finishProgress() {
        lock.lock()
        defer { lock.unlock() }
        clearProgress()
    }

    /// Stops the progress line for good (before the results are printed).
    func stopProgress() {
        timer?.cancel()
        lock.lock()
        defer { lock.unlock() }
        timer = nil
        clearProgress()
    }
}

/// Why `stamina check` stops early: an input error (exit 1) or an engine error (exit 2), written
/// as the contract's `CheckFailureDocument`.
struct CheckFailure: Error {
    var kind: CheckFailureDocument.Kind
    var code: String
    var message: String
    var diagnostics: [(file: String, line: Int, column: Int, message: String)] = []

    static func input(_ code: String, _ message: String) -> CheckFailure {
        CheckFailure(kind: .input, code: code, message: message)
    }

    var exitCode: Int32 { kind.exitCode.rawValue }

    var document: CheckFailureDocument {
        CheckFailureDocument(
            error: .init(
                kind: kind, code: code, message: message,
                diagnostics: diagnostics.map {
                    .init(file: $0.file, line: $0.line, column: $0.column, message: $0.message)
                }))
    }

    var json: JSONText { (try? JSONTextEncoder().encode(document)) ?? .null }
}
