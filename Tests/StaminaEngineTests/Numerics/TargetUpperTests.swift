// The upper-rounded bound on a set's mass (`TransientResult.targetUpper`): it contains the closed
// form, and on a rare target it is far tighter than the set's lower bound plus `errorBound`, which
// carries the down-scaling of every other state's mass.

import Foundation
import StaminaEngine
import Testing

@Suite struct TargetUpperTests {
    @Test(arguments: [1e-6, 1e-3, 0.5])
    func rareTargetIsBoundedTightly(epsilon: Double) throws {
        // 0 -> 1 at rate epsilon (1 absorbing): P(in 1 at t) = 1 - e^{-epsilon t}. States 2 <-> 3
        // at rate 1000 are never reached but set the uniformisation rate, so some 5,000 products
        // are rounded.
        let time = 5.0
        let rates = rateMatrix(states: 4, [(0, 1, epsilon), (2, 3, 1000), (3, 2, 1000)])
        let result = try Uniformization.transient(
            rates: rates, initial: [1, 0, 0, 0], time: time, absorbing: [false, true, false, false],
            accuracy: 1e-16, upperTargets: [false, true, false, false])
        let truth = -expm1(-epsilon * time)
        let upper = try #require(result.targetUpper)
        let complement = result.distribution[1] + result.errorBound
        #expect(result.distribution[1] <= truth && truth <= upper)
        // Relative slack of a few m = 2 A u (about 1e-11 here) on the target itself, plus the
        // weights' omitted mass (about 3e-14: the certified error of the Poisson weights), not
        // 2 A u of the whole mass.
        #expect(upper - truth <= 1e-10 * truth + 1e-13)
        // On a rare target that beats the lower bound plus errorBound by far (on a likely one the
        // complement is the tighter bound, and the checker keeps the smaller).
        if epsilon <= 1e-3 { #expect(complement - truth > 10 * (upper - truth)) }
    }

    @Test func everyStateAsTargetGivesTheWholeMass() throws {
        // The bound over all states can never be below the total mass.
        let rates = rateMatrix(states: 3, [(0, 1, 2), (1, 2, 3), (2, 0, 1)])
        let result = try Uniformization.transient(
            rates: rates, initial: [0.5, 0.5, 0], time: 2, absorbing: [false, false, false], accuracy: 1e-12,
            upperTargets: [true, true, true])
        let upper = try #require(result.targetUpper)
        #expect(upper >= 1 && upper <= 1 + 1e-11)
    }
}
