import Foundation
import StaminaNumerics
import Testing

/// Oracle: Poisson pmf in extended precision log space (lgamma), tails summed term by term.
@Suite struct FoxGlynnTests {
    @Test(arguments: [0.5, 10, 1e3, 1e5, 1e7])
    func weightsAreThePoissonProbabilities(lambda: Double) throws {
        let accuracy = 1e-12
        let poisson = try FoxGlynn.weights(rate: lambda, accuracy: accuracy)
        #expect(poisson.weights.count == poisson.right - poisson.left + 1)
        #expect(poisson.left <= Int(lambda) && Int(lambda) <= poisson.right)
        var worst: OracleFloat = 0
        for (offset, weight) in poisson.weights.enumerated() where weight > 1e-300 {
            let exact = poissonOracle(poisson.left + offset, lambda)
            worst = max(worst, abs(OracleFloat(weight) - exact) / exact)
        }
        #expect(worst <= 1e-10, "largest relative error \(worst)")
        #expect(poisson.omittedMass <= accuracy)
    }

    @Test(arguments: [0.5, 10, 1e3, 1e5, 1e7])
    func omittedMassBoundsTheTruth(lambda: Double) throws {
        let poisson = try FoxGlynn.weights(rate: lambda, accuracy: 1e-9)
        // The exact Poisson probabilities sum to 1, so 1 - sum(weights) is exactly what is missing.
        let kept = poisson.weights.reduce(OracleFloat(0)) { $0 + OracleFloat($1) }
        #expect(OracleFloat(poisson.omittedMass) >= 1 - kept)
        // And both tails, summed independently, fit in the bound.
        var leftTail: OracleFloat = 0
        var k = poisson.left - 1
        while k >= 0 {
            let term = poissonOracle(k, lambda)
            leftTail += term
            if term < 1e-40 { break }
            k -= 1
        }
        var rightTail: OracleFloat = 0
        k = poisson.right + 1
        while true {
            let term = poissonOracle(k, lambda)
            rightTail += term
            if term < 1e-40 { break }
            k += 1
        }
        #expect(OracleFloat(poisson.omittedMass) >= leftTail + rightTail)
        #expect(poisson.omittedMass <= 1e-9)
    }

    @Test func weightsAreLowerBoundsForSmallRates() throws {
        // Where the oracle is accurate to ~1e-18, the weights must not exceed it.
        for lambda in [0.01, 0.5, 3.7, 20, 63.9, 64.2, 200] {
            let poisson = try FoxGlynn.weights(rate: lambda, accuracy: 1e-14)
            for (offset, weight) in poisson.weights.enumerated() where weight > 1e-300 {
                let exact = poissonOracle(poisson.left + offset, lambda)
                #expect(OracleFloat(weight) <= exact * (1 + 1e-16), "lambda \(lambda), k \(poisson.left + offset)")
            }
        }
    }

    @Test func zeroRateIsAPointMass() throws {
        let poisson = try FoxGlynn.weights(rate: 0, accuracy: 1e-6)
        #expect(poisson.left == 0 && poisson.right == 0 && poisson.weights == [1] && poisson.omittedMass == 0)
    }

    @Test func largeRatesDoNotUnderflow() throws {
        let poisson = try FoxGlynn.weights(rate: 1e8, accuracy: 1e-10)
        let total = poisson.weights.reduce(0, +)
        #expect(total > 1 - 1e-8 && total <= 1)
        #expect(poisson.omittedMass <= 1e-10)
    }

    @Test func badArgumentsAreRejected() {
        #expect(throws: NumericsError.self) { try FoxGlynn.weights(rate: -1, accuracy: 1e-6) }
        #expect(throws: NumericsError.self) { try FoxGlynn.weights(rate: .nan, accuracy: 1e-6) }
        #expect(throws: NumericsError.self) { try FoxGlynn.weights(rate: 1, accuracy: 0) }
        #expect(throws: NumericsError.self) { try FoxGlynn.weights(rate: 1, accuracy: 1) }
    }
}
