import Foundation
import StaminaNumerics
import Testing

/// Oracle: closed forms on the two-state chain 0 -> 1 at rate a, 1 -> 0 at rate b.
@Suite struct RewardTests {
    func probabilityOfZero(a: Double, b: Double, p0: Double, time: Double) -> Double {
        let stationary = b / (a + b)
        return stationary + (p0 - stationary) * exp(-(a + b) * time)
    }

    @Test(arguments: [(0.7, 2.3, 1.0, 0.4), (4.0, 1.0, 0.0, 10.0), (0.01, 0.02, 0.5, 3.0)])
    func instantaneousRewardOnTwoStates(a: Double, b: Double, p0: Double, time: Double) throws {
        let rates = rateMatrix(states: 2, [(0, 1, a), (1, 0, b)])
        let rewards = [3.0, 0.5]
        let accuracy = 1e-9
        let result = try Uniformization.instantaneousReward(
            rates: rates, initial: [p0, 1 - p0], time: time, stateRewards: rewards, accuracy: accuracy)
        let p = probabilityOfZero(a: a, b: b, p0: p0, time: time)
        let exact = rewards[0] * p + rewards[1] * (1 - p)
        #expect(result.lower <= exact + 1e-14 && exact <= result.upper + 1e-14)
        #expect(result.upper - result.lower <= 2 * accuracy)
    }

    @Test(arguments: [(0.7, 2.3, 1.0, 0.4), (4.0, 1.0, 0.0, 10.0), (0.01, 0.02, 0.5, 3.0)])
    func cumulativeRewardOnTwoStates(a: Double, b: Double, p0: Double, time: Double) throws {
        let rates = rateMatrix(states: 2, [(0, 1, a), (1, 0, b)])
        let rewards = [3.0, 0.5]
        let accuracy = 1e-9
        let result = try Uniformization.cumulativeReward(
            rates: rates, initial: [p0, 1 - p0], time: time, stateRewards: rewards, accuracy: accuracy)
        // integral_0^t p(u) du = pi0 t + (p0 - pi0)(1 - e^{-(a+b)t})/(a+b).
        let stationary = b / (a + b)
        let inZero = stationary * time + (p0 - stationary) * (1 - exp(-(a + b) * time)) / (a + b)
        let exact = rewards[0] * inZero + rewards[1] * (time - inZero)
        #expect(result.lower <= exact + 1e-13 && exact <= result.upper + 1e-13, "\(result) vs \(exact)")
        #expect(result.upper - result.lower <= 2 * accuracy)
    }

    @Test func cumulativeRewardOfAPoissonProcessCountsTime() throws {
        // Reward = number of arrivals so far (state index), pure birth at rate 2, t = 3:
        // E[integral N_u du] = rate t^2 / 2 = 9. Truncated at 60 (absorbing, negligible mass).
        let size = 61
        let rates = rateMatrix(states: size, (0..<(size - 1)).map { ($0, $0 + 1, 2.0) })
        var initial = [Double](repeating: 0, count: size)
        initial[0] = 1
        let result = try Uniformization.cumulativeReward(
            rates: rates, initial: initial, time: 3, stateRewards: (0..<size).map(Double.init), accuracy: 1e-8)
        #expect(result.lower <= 9 + 1e-12 && 9 <= result.upper + 1e-12)
        #expect(result.upper - result.lower <= 2e-8)
    }

    @Test func negativeRewardsAreRejected() {
        let rates = rateMatrix(states: 2, [(0, 1, 1)])
        #expect(throws: NumericsError.self) {
            try Uniformization.cumulativeReward(
                rates: rates, initial: [1, 0], time: 1, stateRewards: [1, -1], accuracy: 1e-6)
        }
    }
}
