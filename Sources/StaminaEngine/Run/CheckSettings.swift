// The knobs of a check run; defaults are the published STAMINA tools' defaults.

public struct CheckSettings: Sendable {
    /// Initial reachability threshold.
    public var kappa = 1.0
    /// Divisor applied to kappa between passes and rounds.
    public var reduceKappa = 1.25
    /// The misprediction factor m: passes continue while (#frontier x kappa) >= window / m.
    public var approxFactor = 2.0
    /// Target width of [Pmin, Pmax].
    public var window = 1e-3
    /// `--relative`: the window is relative to the value (stop when Pmax - Pmin <= window x Pmin),
    /// for rare events whose value is far below any sensible absolute window.
    public var relativeWindow = false
    /// Refinement rounds per property.
    public var maxIterations = 10
    public var method = ExplorationMethod.iterative
    /// Leave states where the property is decided unexpanded (only where sound).
    public var propertyTruncation = true
    /// Explore the whole model, no truncation.
    public var exact = false
    public var threads = 1
    /// Wall-clock limit in seconds for the whole run.
    public var timeLimit: Double?
    /// Refuse to grow beyond this many states (default: no limit in --exact, 10 million for
    /// the full exploration that steady-state and reward properties need).
    public var maxStates: Int?

    public init() {}

    /// Accuracy asked of the numerical solvers: far below the window (a two-phase `U[t1,t2]`
    /// spends it twice), and counted in the bounds. `--exact` promises Pmin = Pmax to within
    /// 1e-10, so there the solvers work near double precision.
    /// A relative window may ask for widths far below the window itself: there the solvers also
    /// work near double precision.
    public var numericalAccuracy: Double { exact || relativeWindow ? 1e-13 : min(1e-10, window * 1e-4) }

    /// The width [Pmin, Pmax] must reach: the window, or relative to Pmin.
    public func targetWidth(lower: Double) -> Double { relativeWindow ? window * max(0, lower) : window }
    func targetWidth(_ bounds: Bounds) -> Double { targetWidth(lower: bounds.lower) }
}
