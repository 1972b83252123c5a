// Time-bounded reachability over the maybe states only (`Uniformization.boundedReach`): its bounds
// contain closed forms and dense matrix exponentials, agree with the unrestricted transient
// solver, stay certified when the rest is bounded in closed form (the early stop), and do not
// depend on the thread count.

import Foundation
import PropertyBased
@testable import StaminaNumerics
import Testing

@Suite struct BoundedReachTests {
    @Test(arguments: [1e-6, 1e-3, 0.5])
    func rareGoalContainsTheClosedForm(epsilon: Double) throws {
        // 0 -> 1 (goal) at rate epsilon: P = 1 - e^{-epsilon t}. States 2 <-> 3 at rate 1000 cannot
        // reach the goal: they are left out, so they no longer set the uniformisation rate.
        let time = 5.0
        let rates = rateMatrix(states: 4, [(0, 1, epsilon), (2, 3, 1000), (3, 2, 1000)])
        let result = try Uniformization.boundedReach(
            rates: rates, initial: [1, 0, 0, 0], time: time, absorbing: [false, false, false, false],
            goal: [false, true, false, false], extra: [false, false, false, false], accuracy: 1e-16)
        let truth = -expm1(-epsilon * time)
        #expect(result.goalLower <= truth && truth <= result.upper)
        // Fox-Glynn's own floor (the rounding of its weights, about 8u) dominates the width here.
        #expect(result.upper - result.goalLower <= 1e-13 * truth + 3e-15)
        #expect(result.maybeStates == 1)
        #expect(result.uniformizationRate < 1.01 * epsilon)
    }

    @Test func longHorizonStopsEarlyAndStaysCertified() throws {
        // A birth-death chain on 0...29 (birth 1, death 1.5) that leaks into the goal from every
        // state at rate 1e-4: after mixing, the mass in it only shrinks by a common factor, so the
        // rest of the 5,000 products is bounded in closed form. Oracle: a dense exponential.
        let size = 30
        let goal = size
        var transitions: [(Int, Int, Double)] = []
        for i in 0..<size {
            if i + 1 < size { transitions.append((i, i + 1, 1)) }
            if i > 0 { transitions.append((i, i - 1, 1.5)) }
            transitions.append((i, goal, 1e-4))
        }
        let rates = rateMatrix(states: size + 1, transitions)
        var generator = [[Double]](repeating: [Double](repeating: 0, count: size + 1), count: size + 1)
        for (i, j, rate) in transitions {
            generator[i][j] += rate
            generator[i][i] -= rate
        }
        var initial = [Double](repeating: 0, count: size + 1)
        initial[0] = 1
        let time = 2000.0
        var goalFlags = [Bool](repeating: false, count: size + 1)
        goalFlags[goal] = true
        let result = try Uniformization.boundedReach(
            rates: rates, initial: initial, time: time, absorbing: [Bool](repeating: false, count: size + 1),
            goal: goalFlags, extra: [Bool](repeating: false, count: size + 1), accuracy: 1e-13)
        let truth = denseTransient(generator: generator, initial: initial, time: time)[goal]
        let stop = try #require(result.stoppedEarlyAt)
        #expect(stop < result.lastIndex / 2, "stopped at \(stop) of \(result.lastIndex)")
        #expect(result.goalLower <= truth + 1e-12 && truth <= result.upper + 1e-12)
        #expect(result.upper - result.goalLower <= 1e-11, "width \(result.upper - result.goalLower)")
    }

    @Test func extraStatesCountOnlyForTheUpperBound() throws {
        // 0 -> 1 (goal) at rate 1, 0 -> 2 (extra, a sink) at rate 2: goal 1/3 (1 - e^{-3t}),
        // goal or extra 1 - e^{-3t}.
        let rates = rateMatrix(states: 3, [(0, 1, 1), (0, 2, 2)])
        let time = 0.7
        let result = try Uniformization.boundedReach(
            rates: rates, initial: [1, 0, 0], time: time, absorbing: [false, false, false],
            goal: [false, true, false], extra: [false, false, true], accuracy: 1e-14, keepDistribution: true)
        let both = -expm1(-3 * time)
        #expect(result.goalLower <= both / 3 && both / 3 <= result.goalLower + 1e-13)
        #expect(both <= result.upper && result.upper <= both + 1e-13)
        #expect(result.extraLower <= 2 * both / 3 && 2 * both / 3 <= result.extraLower + 1e-13)
        let distribution = try #require(result.distribution)
        #expect(distribution[0] <= exp(-3 * time) && exp(-3 * time) <= distribution[0] + 1e-13)
    }

    @Test func randomChainsAgreeWithTheExponentialAndTheUnrestrictedSolver() async {
        await propertyCheck(
            count: 200,
            input: Gen.int(in: 2...5), Gen.double(in: 0...6).array(of: 25), Gen.double(in: 0...1).array(of: 5),
            Gen.double(in: 0...1).array(of: 5), Gen.double(in: 0...4)
        ) { size, entries, flags, start, time in
            let base = RandomChainPropertyTests.chain(
                size: size, entries: entries, flags: [1, 1, 1, 1, 1], start: start)
            let goal = (0..<size).map { flags[$0] < 0.3 }
            let extra = (0..<size).map { flags[$0] >= 0.3 && flags[$0] < 0.45 }
            let absorbing = (0..<size).map { flags[$0] >= 0.9 }
            // The oracle's generator with goal, extra and absorbing states made absorbing.
            var generator = [[Double]](repeating: [Double](repeating: 0, count: size), count: size)
            for i in 0..<size where !(goal[i] || extra[i] || absorbing[i]) {
                for entry in base.rates.rowStart[i]..<base.rates.rowStart[i + 1] {
                    let j = Int(base.rates.columns[entry])
                    guard j != i else { continue }
                    generator[i][j] += base.rates.values[entry]
                    generator[i][i] -= base.rates.values[entry]
                }
            }
            let exact = denseTransient(generator: generator, initial: base.initial, time: time)
            let truthGoal = (0..<size).filter { goal[$0] }.reduce(0.0) { $0 + exact[$1] }
            let truthBoth = (0..<size).filter { goal[$0] || extra[$0] }.reduce(0.0) { $0 + exact[$1] }
            let result = try Uniformization.boundedReach(
                rates: base.rates, initial: base.initial, time: time, absorbing: absorbing, goal: goal, extra: extra,
                accuracy: 1e-10)
            #expect(result.goalLower <= truthGoal + 1e-12, "lower \(result.goalLower) above \(truthGoal)")
            #expect(truthBoth <= result.upper + 1e-12, "upper \(result.upper) below \(truthBoth)")
            #expect(result.upper - truthBoth <= 1e-9 && truthGoal - result.goalLower <= 1e-9)
            // The unrestricted solver on the same problem.
            let all = (0..<size).map { goal[$0] || extra[$0] || absorbing[$0] }
            let transient = try Uniformization.transient(
                rates: base.rates, initial: base.initial, time: time, absorbing: all, accuracy: 1e-10)
            let other = (0..<size).filter { goal[$0] }.reduce(0.0) { $0 + transient.distribution[$1] }
            #expect(abs(other - result.goalLower) <= 1e-9)
        }
    }

    @Test func threadsGiveTheSameBounds() throws {
        // A ring of 40,000 states with a leak to the goal: enough work per product to split it.
        let size = 40_000
        var transitions: [(Int, Int, Double)] = []
        for i in 0..<size {
            transitions.append((i, (i + 1) % size, 1 + Double(i % 7)))
            transitions.append((i, (i + 3) % size, 0.5))
            if i % 100 == 0 { transitions.append((i, size, 0.01)) }
        }
        let rates = rateMatrix(states: size + 1, transitions)
        var initial = [Double](repeating: 0, count: size + 1)
        initial[0] = 1
        var goal = [Bool](repeating: false, count: size + 1)
        goal[size] = true
        let none = [Bool](repeating: false, count: size + 1)
        let one = try Uniformization.boundedReach(
            rates: rates, initial: initial, time: 3, absorbing: none, goal: goal, extra: none, accuracy: 1e-12)
        let two = try Uniformization.boundedReach(
            rates: rates, initial: initial, time: 3, absorbing: none, goal: goal, extra: none, accuracy: 1e-12,
            threads: 2)
        #expect(one.goalLower == two.goalLower)
        #expect(abs(one.upper - two.upper) <= 1e-15)
        #expect(one.goalLower > 0 && one.upper - one.goalLower <= 1e-12)
    }

    @Test func badArgumentsAreRefused() {
        let rates = rateMatrix(states: 2, [(0, 1, 1)])
        #expect(throws: NumericsError.self) {
            try Uniformization.boundedReach(
                rates: rates, initial: [1, 0], time: -1, absorbing: [false, false], goal: [false, true],
                extra: [false, false], accuracy: 1e-6)
        }
        #expect(throws: NumericsError.self) {
            try Uniformization.boundedReach(
                rates: rates, initial: [1, 0], time: 1, absorbing: [false], goal: [false, true],
                extra: [false, false], accuracy: 1e-6)
        }
    }
}
