import Foundation
import PropertyBased
import StaminaNumerics
import Testing

/// Random small CTMCs (2 to 5 states, about half the pairs connected, rates up to 4, some
/// absorbing states), checked against a dense matrix exponential (`denseTransient`):
/// non-negative, total + errorBound >= 1 - 1e-12, and within errorBound + 1e-10 in sum; rewards
/// against the same exponential and its integral (Van Loan), within 1e-10 of their bounds.
@Suite struct RandomChainPropertyTests {
    struct RandomChain {
        var rates: SparseMatrix
        var generator: [[Double]]
        var absorbing: [Bool]
        var initial: [Double]
    }

    static func chain(size: Int, entries: [Double], flags: [Double], start: [Double]) -> RandomChain {
        let absorbing = (0..<size).map { flags[$0] < 0.2 }
        var transitions: [(Int, Int, Double)] = []
        var generator = [[Double]](repeating: [Double](repeating: 0, count: size), count: size)
        for i in 0..<size {
            for j in 0..<size {
                let value = entries[i * size + j]
                // Values below 2 mean "no transition"; self-loops are kept to check they are ignored.
                guard value >= 2 else { continue }
                let rate = value - 2
                transitions.append((i, j, rate))
                if i != j && !absorbing[i] {
                    generator[i][j] += rate
                    generator[i][i] -= rate
                }
            }
        }
        let total = start.prefix(size).reduce(0, +)
        let initial = total > 0 ? start.prefix(size).map { $0 / total } : [1] + [Double](repeating: 0, count: size - 1)
        return RandomChain(
            rates: rateMatrix(states: size, transitions), generator: generator, absorbing: absorbing,
            initial: initial)
    }

    @Test func transientAgreesWithMatrixExponential() async {
        await propertyCheck(
            count: 200,
            input: Gen.int(in: 2...5), Gen.double(in: 0...6).array(of: 25), Gen.double(in: 0...1).array(of: 5),
            Gen.double(in: 0...1).array(of: 5), Gen.double(in: 0...3)
        ) { size, entries, flags, start, time in
            let chain = Self.chain(size: size, entries: entries, flags: flags, start: start)
            let accuracy = 1e-9
            let result = try Uniformization.transient(
                rates: chain.rates, initial: chain.initial, time: time, absorbing: chain.absorbing,
                accuracy: accuracy)
            let exact = denseTransient(generator: chain.generator, initial: chain.initial, time: time)
            #expect(result.distribution.allSatisfy { $0 >= 0 })
            #expect(result.distribution.reduce(0, +) + result.errorBound >= 1 - 1e-12)
            #expect(result.errorBound <= accuracy)
            var difference = 0.0
            for (computed, truth) in zip(result.distribution, exact) {
                #expect(computed <= truth + 1e-12)
                difference += abs(computed - truth)
            }
            #expect(difference <= result.errorBound + 1e-10, "difference \(difference), bound \(result.errorBound)")
        }
    }

    @Test func reachabilityBoundsContainTheTransientLimit() async {
        // P(F target) is the limit of the probability of having been absorbed in target (made
        // absorbing) by time t; at a large t the transient value is a lower bound of it.
        await propertyCheck(
            count: 100,
            input: Gen.int(in: 2...5), Gen.double(in: 0...6).array(of: 25), Gen.double(in: 0...1).array(of: 5)
        ) { size, entries, flags in
            let chain = Self.chain(size: size, entries: entries, flags: [1, 1, 1, 1, 1], start: [1, 0, 0, 0, 0])
            let target = (0..<size).map { flags[$0] < 0.3 }
            let bounds = try Reachability.until(
                rates: chain.rates, allowed: [Bool](repeating: true, count: size), target: target, precision: 1e-9)
            #expect(zip(bounds.lower, bounds.upper).allSatisfy { $0 <= $1 && $1 - $0 <= 1e-9 })
            let transient = try Uniformization.transient(
                rates: chain.rates, initial: chain.initial, time: 200, absorbing: target, accuracy: 1e-10)
            let reached = (0..<size).filter { target[$0] }.reduce(0.0) { $0 + transient.distribution[$1] }
            #expect(reached <= bounds.upper[0] + 1e-12)
        }
    }

    @Test func rewardsAgreeWithDenseIntegrals() async {
        await propertyCheck(
            count: 100,
            input: Gen.int(in: 2...5), Gen.double(in: 0...6).array(of: 25), Gen.double(in: 0...5).array(of: 5),
            Gen.double(in: 0...1).array(of: 5), Gen.double(in: 0...3)
        ) { size, entries, rewardValues, start, time in
            let chain = Self.chain(size: size, entries: entries, flags: [1, 1, 1, 1, 1], start: start)
            let rewards = Array(rewardValues.prefix(size))
            let accuracy = 1e-9
            let cumulative = try Uniformization.cumulativeReward(
                rates: chain.rates, initial: chain.initial, time: time, stateRewards: rewards, accuracy: accuracy)
            let occupation = denseOccupation(generator: chain.generator, initial: chain.initial, time: time)
            let exactCumulative = zip(occupation, rewards).reduce(0.0) { $0 + $1.0 * $1.1 }
            #expect(cumulative.lower <= exactCumulative + 1e-10 && exactCumulative <= cumulative.upper + 1e-10)
            #expect(cumulative.upper - cumulative.lower <= 2 * accuracy)
            let instantaneous = try Uniformization.instantaneousReward(
                rates: chain.rates, initial: chain.initial, time: time, stateRewards: rewards, accuracy: accuracy)
            let distribution = denseTransient(generator: chain.generator, initial: chain.initial, time: time)
            let exactInstantaneous = zip(distribution, rewards).reduce(0.0) { $0 + $1.0 * $1.1 }
            #expect(
                instantaneous.lower <= exactInstantaneous + 1e-10 && exactInstantaneous <= instantaneous.upper + 1e-10)
            #expect(instantaneous.upper - instantaneous.lower <= 2 * accuracy)
        }
    }

    @Test func steadyStateIsTheLongRunLimit() async {
        // Rates of at least 0.5 wherever there is a transition, so that exp(Q t) at t = 1e4 has
        // converged far below the tolerance (1e-9): the oracle is the dense exponential there.
        await propertyCheck(
            count: 100,
            input: Gen.int(in: 2...5), Gen.double(in: 0...6).array(of: 25), Gen.double(in: 0...1).array(of: 5)
        ) { size, entries, start in
            let shifted = entries.map { $0 >= 2 ? $0 + 0.5 : $0 }
            let chain = Self.chain(size: size, entries: shifted, flags: [1, 1, 1, 1, 1], start: start)
            let result = try SteadyState.distribution(rates: chain.rates, initial: chain.initial, precision: 1e-12)
            let limit = denseTransient(generator: chain.generator, initial: chain.initial, time: 1e4)
            for (computed, exact) in zip(result, limit) {
                #expect(abs(computed - exact) <= 1e-9, "\(result) vs \(limit)")
            }
        }
    }
}
