import Foundation

/// Poisson probabilities P(N = k) for k in `left...right`, with N ~ Poisson(lambda).
public struct PoissonWeights: Sendable {
    public var left: Int
    public var right: Int
    /// True Poisson probabilities P(N = k), k = left...right, each rounded down: every entry is at
    /// most the exact probability (not normalised: normalising would push them above it).
    public var weights: [Double]
    /// Certified upper bound on 1 - sum(weights): both tails plus the rounding shortfall.
    public var omittedMass: Double

    public init(left: Int, right: Int, weights: [Double], omittedMass: Double) {
        self.left = left
        self.right = right
        self.weights = weights
        self.omittedMass = omittedMass
    }
}

/// Truncation points and weights of the Poisson distribution for uniformization.
///
/// Follows Jansen's correction of Fox and Glynn ("Understanding Fox and Glynn's 'Computing Poisson
/// probabilities'", 2011): start at the mode m = floor(lambda), walk outwards with the ratio
/// recursions p(k+1) = p(k) lambda/(k+1) and p(k-1) = p(k) k/lambda (no underflow near the mode,
/// which is where the mass is), and stop on each side once a certified tail bound fits the budget.
/// Unlike the original algorithm the weights are not scaled and renormalised: p(m) itself is
/// computed accurately (Stirling's series with log1p for the cancelling terms, or a direct product
/// for small m), so the weights are true probabilities with a known relative error, and they are
/// then rounded down by that error so that each is a lower bound.
///
/// Tail bounds (geometric, since the ratios are monotone):
///   P(N > R) <= p(R+1) / (1 - lambda/(R+2))      for R + 2 > lambda,
///   P(N < L) <= p(L-1) / (1 - (L-1)/lambda)      for L - 1 < lambda.
public enum FoxGlynn {
    /// Largest rate accepted: beyond it the window of ~10 sqrt(lambda) weights stops fitting in
    /// memory comfortably and the relative error of the recursion grows past 1e-9.
    public static let maximumRate = 1e12

    public static func weights(rate lambda: Double, accuracy: Double) throws(NumericsError) -> PoissonWeights {
        guard lambda.isFinite, lambda >= 0 else {
            throw .invalidArgument("the Poisson rate must be finite and >= 0, got \(lambda)")
        }
        guard lambda <= maximumRate else {
            throw .invalidArgument("the Poisson rate \(lambda) exceeds the supported maximum \(maximumRate)")
        }
        // Below 1e-100 the weights that decide the tails would be subnormal, where the relative
        // error bounds no longer hold.
        guard accuracy.isFinite, accuracy >= 1e-100, accuracy < 1 else {
            throw .invalidArgument("the Poisson accuracy must be in [1e-100, 1), got \(accuracy)")
        }
        if lambda == 0 {
            return PoissonWeights(left: 0, right: 0, weights: [1], omittedMass: 0)
        }
        let u = unitRoundoff
        let mode = Int(lambda.rounded(.down))
        let (modeWeight, modeError) = probabilityAtMode(lambda: lambda, mode: mode)

        // The recursions run in double-double arithmetic (error below 16u^2 per step), so that the
        // weights keep the accuracy of p(mode) however far they are from it.
        var upward: [Double] = [modeWeight.hi]  // p(mode), p(mode+1), ..., p(right)
        var downward: [Double] = []  // p(mode-1), p(mode-2), ..., p(left)
        var right = mode
        var left = mode
        var nextRight = modeWeight * DoubleDouble.quotient(lambda, Double(mode + 1))
        var nextLeft = mode > 0 ? modeWeight * DoubleDouble.quotient(Double(mode), lambda) : .zero
        // 1 - lambda/(R+2) = (R + 2 - lambda)/(R + 2): the subtraction is exact or has no
        // cancellation, so the bound carries a few roundings only (never 1 - x with x near 1).
        func rightTail(_ next: DoubleDouble, _ right: Int) -> Double {
            let end = Double(right + 2)
            return next.hi * end / (end - lambda)
        }
        func leftTail(_ next: DoubleDouble, _ left: Int) -> Double {
            left > 0 ? next.hi * lambda / (lambda - Double(left - 1)) : 0
        }
        // Each weight is the double nearest a double-double within modeError + 16u^2 |k - mode| of
        // p(k): relative error e below modeError + u + 16u^2 (steps). Tails computed from such
        // weights (and a few more roundings) are inflated by 1 + 2e + 16u.
        func relativeError() -> Double {
            modeError + u + 16 * u * u * Double(max(right - mode, mode - left) + 1)
        }
        func omitted(_ tailLeft: Double, _ tailRight: Double) -> Double {
            let e = relativeError()
            // Rounding down below: w' <= p, and p - w' <= p (3e + 6u), summed over p <= 1.
            let tails = (tailLeft + tailRight) * (1 + 2 * e + 16 * u)
            return (tails + 3 * e + 8 * u) * (1 + 4 * u)
        }
        var tailRight = rightTail(nextRight, right)
        var tailLeft = leftTail(nextLeft, left)
        while omitted(tailLeft, tailRight) > accuracy {
            // Rounding alone exceeds the budget: longer tails would not help.
            if tailLeft + tailRight < 1e-3 * accuracy { break }
            if tailRight >= tailLeft {
                upward.append(nextRight.hi)
                right += 1
                nextRight = nextRight * DoubleDouble.quotient(lambda, Double(right + 1))
                tailRight = rightTail(nextRight, right)
            } else {
                downward.append(nextLeft.hi)
                left -= 1
                nextLeft = left > 0 ? nextLeft * DoubleDouble.quotient(Double(left), lambda) : .zero
                tailLeft = leftTail(nextLeft, left)
            }
        }
        // Round down: w' = fl(w s) <= p (1 + e) s (1 + u) <= p for s = 1 - 2e - 4u.
        let shrink = 1 - 2 * relativeError() - 4 * u
        var weights = [Double]()
        weights.reserveCapacity(right - left + 1)
        for weight in downward.reversed() { weights.append(weight * shrink) }
        for weight in upward { weights.append(weight * shrink) }
        return PoissonWeights(
            left: left, right: right, weights: weights, omittedMass: min(1, omitted(tailLeft, tailRight)))
    }

    /// p(mode) and a bound on its relative error.
    private static func probabilityAtMode(lambda: Double, mode: Int) -> (DoubleDouble, Double) {
        let u = unitRoundoff
        if mode < 64 {
            // exp(-lambda) >= e^-64 does not underflow and the product stays below e^64.
            var weight = DoubleDouble(exp(-lambda))
            for i in stride(from: 1, through: mode, by: 1) {
                weight = weight * DoubleDouble.quotient(lambda, Double(i))
            }
            // exp within 2u (glibc: under 1 ulp), then 16u^2 per double-double factor.
            return (weight, 2 * u + 16 * u * u * Double(mode))
        }
        // log p(m) = -lambda + m log lambda - log m!, with Stirling's series
        // log m! = m log m - m + log(2 pi m)/2 + 1/(12m) - 1/(360m^3) + 1/(1260m^5) - R,
        // 0 < R < 1/(1680 m^7). Grouping the large cancelling terms:
        // log p(m) = (m log1p((lambda - m)/m) - (lambda - m)) - log(2 pi m)/2 - series.
        let m = Double(mode)
        let excess = lambda - m  // exact (Sterbenz: m <= lambda < 2m)
        let m2 = m * m
        let series = 1 / (12 * m) - 1 / (360 * m * m2) + 1 / (1260 * m * m2 * m2)
        let logWeight = (m * log1p(excess / m) - excess) - 0.5 * log(2 * Double.pi * m) - series
        // The first group is below 1/(2m) in magnitude with an error of a few u; log(2 pi m)/2
        // (at most ~15) is within a few ulps; exp adds under 1 ulp and turns the absolute error of
        // the logarithm into a relative one: 8u (4 + |log p|) covers all of that with a margin
        // of 2 or more. The series remainder is below 1/(1680 m^7) < 1e-15.
        let error = 8 * u * (4 + abs(logWeight)) + 1 / (1680 * pow(m, 7))
        return (DoubleDouble(exp(logWeight)), error)
    }
}

/// An unevaluated sum hi + lo of two doubles (|lo| <= ulp(hi)/2): about 106 bits of precision,
/// with error-free transformations built on fused multiply-add.
struct DoubleDouble {
    var hi: Double
    var lo: Double

    static let zero = DoubleDouble(0)

    init(_ value: Double) {
        hi = value
        lo = 0
    }

    private init(normalising hi: Double, _ lo: Double) {
        let sum = hi + lo
        self.hi = sum
        self.lo = lo - (sum - hi)
    }

    /// a / b to double-double precision (relative error below 2u^2).
    static func quotient(_ a: Double, _ b: Double) -> DoubleDouble {
        let q = a / b
        let remainder = a.addingProduct(-q, b)  // a - q b, exact
        return DoubleDouble(normalising: q, remainder / b)
    }

    /// Sum with relative error below 4u^2 for non-negative operands (Knuth's two-sum on the high
    /// parts).
    static func + (x: DoubleDouble, y: DoubleDouble) -> DoubleDouble {
        let sum = x.hi + y.hi
        let back = sum - x.hi
        let error = (x.hi - (sum - back)) + (y.hi - back) + x.lo + y.lo
        return DoubleDouble(normalising: sum, error)
    }

    /// Product with relative error below 8u^2 for non-negative operands.
    static func * (x: DoubleDouble, y: DoubleDouble) -> DoubleDouble {
        let product = x.hi * y.hi
        var error = (-product).addingProduct(x.hi, y.hi)  // exact low part of x.hi * y.hi
        error += x.hi * y.lo + x.lo * y.hi
        return DoubleDouble(normalising: product, error)
    }
}
