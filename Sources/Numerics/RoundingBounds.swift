// Floating-point facts the certified solvers rely on. `unitRoundoff` is u = 2^-53: with round to
// nearest, fl(a op b) = (a op b)(1 + d) with |d| <= u for + - * / on normal numbers. Underflow to
// subnormals adds an absolute error below 2^-1074 per operation; the solvers treat values that
// small as zero and say so where it matters.

let unitRoundoff = Double.ulpOfOne / 2

/// A sum of non-negative terms with compensated (Neumaier) summation and certified bounds on the
/// exact sum of the given doubles.
///
/// Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., section 4.3: compensated
/// summation has |computed - exact| <= (2u + O(n u^2)) * sum |x_i|. For non-negative terms sum |x_i|
/// is the exact sum S, so S lies in computed * [1 - e, 1 + e] with e = 4u + 4 n u^2 (a margin of 2x
/// on both terms), and one more factor of (1 +- 2u) covers rounding the bounds themselves.
struct NonNegativeSum {
    var lower: Double
    var upper: Double

    init(_ values: UnsafeBufferPointer<Double>) {
        var sum = 0.0
        var compensation = 0.0
        for value in values {
            let next = sum + value
            if abs(sum) >= abs(value) {
                compensation += (sum - next) + value
            } else {
                compensation += (value - next) + sum
            }
            sum = next
        }
        self.init(computed: sum + compensation, count: values.count)
    }

    init(_ values: [Double]) {
        self = values.withUnsafeBufferPointer { NonNegativeSum($0) }
    }

    private init(computed: Double, count: Int) {
        let u = unitRoundoff
        let relative = 4 * u + 4 * Double(count) * u * u
        lower = max(0, computed * (1 - relative) * (1 - 2 * u))
        upper = computed * (1 + relative) * (1 + 2 * u)
    }
}

/// Bounds on sum_i a_i * b_i for non-negative a and b: each product carries one more rounding of
/// relative size u, which widens the interval by (1 +- 2u).
func nonNegativeDotBounds(_ a: [Double], _ b: [Double]) -> (lower: Double, upper: Double) {
    var products = [Double](repeating: 0, count: min(a.count, b.count))
    for i in products.indices { products[i] = a[i] * b[i] }
    let sum = NonNegativeSum(products)
    let u = unitRoundoff
    return (max(0, sum.lower * (1 - 2 * u)), sum.upper * (1 + 2 * u))
}

/// An upper bound on a - b for a >= b computed in floating point (rounding can only lose 1 ulp).
func upperDifference(_ a: Double, _ b: Double) -> Double {
    max(0, (a - b) * (1 + 4 * unitRoundoff))
}
