/// When the solvers must give up. They check it between sweeps (every few dozen products in
/// uniformization), so a run's `--time-limit` also ends a long numerical phase, not only
/// exploration; a sweep itself is never interrupted, so nothing is left half-computed.
public struct SolverDeadline: Sendable {
    public var instant: ContinuousClock.Instant?

    public static let none = SolverDeadline(instant: nil)

    public init(instant: ContinuousClock.Instant?) {
        self.instant = instant
    }

    var hasPassed: Bool { instant.map { ContinuousClock.now >= $0 } ?? false }

    @inline(__always)
    func check() throws(NumericsError) {
        if hasPassed { throw .timeLimit }
    }
}
