// The one table of ranges of `stamina check`'s knobs. The CLI (exit 1 with the problem) and the
// server (a 400/422 naming the field) both call `CheckRequest.validate()`, so they refuse exactly
// the same values.
//
// Decisions, where the CLI and the server used to disagree:
// - window in (0, 1): the server refused `-w 5`, the CLI took it. A probability interval is at most
//   [0, 1] wide, so a window of 1 or more asks for nothing; a coarse reward or rare-event bound is
//   what `--relative` is for. The legacy API has always refused it, so the CLI follows the server.
// - approxFactor in (0, 1e6]: the server asked for more than 1. The factor only decides when an
//   exploration pass stops (frontier x kappa >= window / m); every positive value gives certified
//   bounds, so the CLI's range stays, with the server's upper guard.
// - kappa in (0, 1e6], reduceKappa in (1, 1e6]: a reduction of 1 or less never shrinks kappa.
// - maxIterations in 1...10000, threads in 1...1024: each is work the run does, bounded.
// - maxStates >= 1, timeLimit in (0, 1e9] seconds; the constants text one line of at most 4096 bytes.

/// A refused value: the request field (the server's parameter name), the CLI flag, and why.
public struct CheckRequestProblem: Error, Sendable, Equatable {
    /// The field name of a job submission (`kappa`, `rkappa`, `window`, ...).
    public var parameter: String
    public var option: CheckOption
    public var message: String
}

extension CheckRequest {
    /// A real-valued knob and the interval it must lie in.
    public struct Range: Sendable {
        public var parameter: String
        public var option: CheckOption
        public var lower: Double
        public var lowerIncluded: Bool
        public var upper: Double
        public var upperIncluded: Bool
        let value: @Sendable (CheckRequest) -> Double?

        public func contains(_ x: Double) -> Bool {
            x.isFinite && (lowerIncluded ? x >= lower : x > lower) && (upperIncluded ? x <= upper : x < upper)
        }

        /// `(0, 1e6]`, as messages show it.
        public var interval: String {
            "\(lowerIncluded ? "[" : "(")\(Self.text(lower)), \(Self.text(upper))\(upperIncluded ? "]" : ")")"
        }

        static func text(_ x: Double) -> String {
            if x.isInfinite { return "inf" }
            if x == x.rounded(), abs(x) < 1e5 { return String(Int(x)) }
            if x >= 1e5, x == x.rounded() {
                var exponent = 0
                var rest = x
                while rest >= 10, (rest / 10) == (rest / 10).rounded() {
                    rest /= 10
                    exponent += 1
                }
                return "\(Int(rest))e\(exponent)"
            }
            return String(x)
        }
    }

    /// Every range, in the order problems are reported.
    public static let ranges: [Range] = [
        Range(
            parameter: "kappa", option: .kappa, lower: 0, lowerIncluded: false, upper: 1e6, upperIncluded: true,
            value: { $0.kappa }),
        Range(
            parameter: "rkappa", option: .reduceKappa, lower: 1, lowerIncluded: false, upper: 1e6,
            upperIncluded: true, value: { $0.reduceKappa }),
        Range(
            parameter: "approxFactor", option: .approxFactor, lower: 0, lowerIncluded: false, upper: 1e6,
            upperIncluded: true, value: { $0.approxFactor }),
        Range(
            parameter: "window", option: .window, lower: 0, lowerIncluded: false, upper: 1, upperIncluded: false,
            value: { $0.window }),
        Range(
            parameter: "maxIterations", option: .maxIterations, lower: 1, lowerIncluded: true, upper: 10_000,
            upperIncluded: true, value: { Double($0.maxIterations) }),
        Range(
            parameter: "threads", option: .threads, lower: 1, lowerIncluded: true, upper: 1024, upperIncluded: true,
            value: { $0.threads.map(Double.init) }),
        Range(
            parameter: "maxStates", option: .maxStates, lower: 1, lowerIncluded: true, upper: .infinity,
            upperIncluded: false, value: { $0.maxStates.map(Double.init) }),
        Range(
            parameter: "timeLimit", option: .timeLimit, lower: 0, lowerIncluded: false, upper: 1e9,
            upperIncluded: true, value: { $0.timeLimit }),
    ]

    /// The longest `--const` text accepted (it travels in an argument vector and a database row).
    public static let maximumConstantsBytes = 4096

    /// Every problem of the request; empty when it may run.
    public func validate() -> [CheckRequestProblem] {
        var problems: [CheckRequestProblem] = []
        for range in Self.ranges {
            guard let value = range.value(self), !range.contains(value) else { continue }
            let integral = ["maxIterations", "threads", "maxStates"].contains(range.parameter)
            let shown = integral && value.isFinite && abs(value) < 1e18 ? String(Int(value)) : String(value)
            let what = integral ? "an integer in \(range.interval)" : "a finite number in \(range.interval)"
            problems.append(
                CheckRequestProblem(
                    parameter: range.parameter, option: range.option,
                    message: "\(range.parameter) must be \(what), got \(shown)"))
        }
        if constants.contains(where: \.isNewline) || constants.utf8.count > Self.maximumConstantsBytes {
            problems.append(
                CheckRequestProblem(
                    parameter: "constants", option: .constants,
                    message: "constants must be one line of at most \(Self.maximumConstantsBytes) bytes"))
        }
        return problems
    }
}
