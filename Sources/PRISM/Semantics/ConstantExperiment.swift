// Experiments as in PRISM: `--const N=1:2:9,T=0.5:0.5:2` gives constants ranges (`start:end` with
// step 1, or `start:step:end`), and the model is checked once per valuation of their product.
// Plain `NAME=VALUE` entries stay fixed. Used by `stamina check` and by the server's submission
// check, so both accept the same text.

public struct ConstantExperiment: Sendable {
    /// The constants given as ranges, in the order given.
    public var varying: [String]
    /// Per valuation, the value text of each varying constant (in `varying` order).
    public var valuations: [[String]]
    /// The overrides as parsed (ranges included as text), for a run without ranges.
    public var parsed: ConstantOverrides

    /// More valuations than this is an input error (each one is a whole check run).
    public static let maximumValuations = 1_000

    public init(parsing text: String) throws(Diagnostics) {
        parsed = try ConstantOverrides(parsing: text)
        varying = []
        var axes: [[String]] = []
        let file = SourceFile(SourceText(name: "--const", text: text))
        for (name, value) in parsed.values where value.contains(":") {
            guard let values = Self.expand(value) else {
                throw Diagnostics([
                    file.diagnostic(
                        at: 0,
                        "constant '\(name)': expected a range start:end or start:step:end of numbers with a positive step and start <= end, found '\(value)'"
                    )
                ])
            }
            varying.append(name)
            axes.append(values)
        }
        var product: [[String]] = [[]]
        for axis in axes {
            guard product.count * axis.count <= Self.maximumValuations else {
                throw Diagnostics([
                    file.diagnostic(at: 0, "the constant ranges give more than \(Self.maximumValuations) valuations")
                ])
            }
            product = product.flatMap { prefix in axis.map { prefix + [$0] } }
        }
        valuations = varying.isEmpty ? [] : product
    }

    public var isExperiment: Bool { !varying.isEmpty }

    /// The overrides of one valuation: the fixed entries and the valuation's values.
    public func overrides(_ valuation: Int) -> ConstantOverrides {
        guard isExperiment else { return parsed }
        var map: [String: String] = [:]
        for (name, value) in parsed.values { map[name] = value }
        for (name, value) in zip(varying, valuations[valuation]) { map[name] = value }
        return ConstantOverrides(map)
    }

    /// The values of `start:end` or `start:step:end`, integers when all three are; nil when the
    /// text is not such a range or it has more than `maximumValuations` values.
    static func expand(_ text: String) -> [String]? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingWhitespace }
        guard parts.count == 2 || parts.count == 3 else { return nil }
        let (startText, stepText, endText) =
            parts.count == 2 ? (parts[0], "1", parts[1]) : (parts[0], parts[1], parts[2])
        if let start = Int64(startText), let step = Int64(stepText), let end = Int64(endText) {
            let (span, overflow) = end.subtractingReportingOverflow(start)
            guard step > 0, start <= end, !overflow, span / step < Int64(maximumValuations) else { return nil }
            return (0...(span / step)).map { String(start + $0 * step) }
        }
        guard let start = Double(startText), let step = Double(stepText), let end = Double(endText),
            start.isFinite, step.isFinite, end.isFinite, step > 0, start <= end,
            (end - start) / step < Double(maximumValuations)
        else { return nil }
        // Steps are counted, not accumulated, and the end is kept despite rounding (0.1 x 3).
        let count = Int(((end - start) / step * (1 + 1e-12)).rounded(.down))
        return (0...count).map { String(start + Double($0) * step) }
    }
}
