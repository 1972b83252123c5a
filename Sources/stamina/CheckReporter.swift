// Where `stamina check` sends what happens: `[INFO]:` lines on stderr, a progress line when stderr
// is a terminal, and JSON lines in the `--events` file (flushed per line, the server tails it).

import Foundation
import OrderedJSON
import StaminaEngine

final class CheckReporter: CheckObserver {
    let quiet: Bool
    let events: UnsafeMutablePointer<FILE>?
    let isTerminal = isatty(STDERR_FILENO) != 0
    private var progressShown = false
    private var lastProgress = ContinuousClock.now

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
    }

    deinit { if let events { fclose(events) } }

    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    func info(_ text: String) {
        guard !quiet else { return }
        clearProgress()
        Self.standardError("[INFO]: \(text)\n")
    }

    func line(_ prefix: String, _ text: String) {
        clearProgress()
        Self.standardError("[\(prefix)]: \(text)\n")
    }

    private func clearProgress() {
        if progressShown {
            Self.standardError("\r\u{1B}[K")
            progressShown = false
        }
    }

    private func event(_ value: JSONText) {
        guard let events else { return }
        fputs(value.rendered + "\n", events)
        fflush(events)
    }

    func round(property: Int, _ round: RoundReport) {
        info(
            "Property \(property + 1), round \(round.iteration): kappa \(round.kappa), \(round.states) states, \(round.transitions) transitions, \(round.frontier) frontier, Pmin \(round.pmin), Pmax \(round.pmax)"
        )
        event(
            .object([
                ("type", .string("round")), ("property", .integer(property)), ("iteration", .integer(round.iteration)),
                ("kappa", .number(round.kappa)), ("states", .integer(round.states)),
                ("transitions", .integer(round.transitions)), ("frontier", .integer(round.frontier)),
                ("pmin", .number(round.pmin)), ("pmax", .number(round.pmax)), ("seconds", .number(round.seconds)),
            ]))
    }

    func propertyFinished(_ report: PropertyReport) {
        if let error = report.error {
            line("WARNING", "property \(report.text): \(error.message)")
        }
        event(
            .object([
                ("type", .string("property")), ("property", .integer(report.index)), ("pmin", .optional(report.pmin)),
                ("pmax", .optional(report.pmax)), ("windowReached", report.windowReached.map { .bool($0) } ?? .null),
            ]))
    }

    func message(_ text: String) { info(text) }

    func progress(states: Int, kappa: Double) {
        guard isTerminal && !quiet else { return }
        let now = ContinuousClock.now
        guard now - lastProgress > .milliseconds(200) else { return }
        lastProgress = now
        Self.standardError("\r\u{1B}[K[INFO]: exploring: \(states) states, kappa \(kappa)")
        progressShown = true
    }

    func finishProgress() { clearProgress() }
}

/// Why `stamina check` stops early: an input error (exit 1) or an engine error (exit 2).
struct CheckFailure: Error {
    var kind: String
    var code: String
    var message: String
    var diagnostics: [(file: String, line: Int, column: Int, message: String)] = []

    static func input(_ code: String, _ message: String) -> CheckFailure {
        CheckFailure(kind: "input", code: code, message: message)
    }

    var exitCode: Int32 { kind == "input" ? 1 : 2 }

    var json: JSONText {
        .object([
            (
                "error",
                .object([
                    ("kind", .string(kind)), ("code", .string(code)), ("message", .string(message)),
                    (
                        "diagnostics",
                        .array(
                            diagnostics.map {
                                .object([
                                    ("file", .string($0.file)), ("line", .integer($0.line)),
                                    ("column", .integer($0.column)),
                                    ("message", .string($0.message)),
                                ])
                            })
                    ),
                ])
            )
        ])
    }
}
