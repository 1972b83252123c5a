// Per-state reward rates of a reward structure on a complete model. Transition (impulse) rewards
// are folded into state rates as `rate x impulse`, which gives the same expected cumulative,
// reachability and long-run rewards on a CTMC (as Storm does); instantaneous rewards use state
// rewards only.

import PRISM

struct CompiledRewardStructure: Sendable {
    var stateRewards: [(guardExpression: CompiledExpression, value: CompiledExpression)]
    var transitionRewards: [(action: String?, guardExpression: CompiledExpression, value: CompiledExpression)]

    init(_ structure: RewardStructure, model: inout CompiledModel) {
        stateRewards = structure.stateRewards.map { (model.compile($0.guardExpression), model.compile($0.value)) }
        transitionRewards = structure.transitionRewards.map {
            ($0.action, model.compile($0.guardExpression), model.compile($0.value))
        }
    }
}

struct RewardVectors {
    var stateOnly: [Double]
    var withTransitions: [Double]

    static func compute(_ structure: CompiledRewardStructure, explorer: Explorer, stateCount n: Int)
        throws(EngineError) -> RewardVectors
    {
        let evaluator = explorer.predicates
        let store = explorer.graph.store
        let groups = explorer.generator.model.model.groups
        var stateOnly = [Double](repeating: 0, count: n + 1)
        var withTransitions = [Double](repeating: 0, count: n + 1)
        for state in 0..<n {
            try store.withState(state) { (words) throws(EngineError) in
                var value = 0.0
                for item in structure.stateRewards
                where try evaluator.bool(item.guardExpression, on: words, context: "a reward guard") {
                    value += try evaluator.double(item.value, on: words, context: "a state reward")
                }
                stateOnly[state] = value
                if !structure.transitionRewards.isEmpty {
                    let count = try explorer.generator.generate(words)
                    for item in structure.transitionRewards
                    where try evaluator.bool(item.guardExpression, on: words, context: "a reward guard") {
                        let impulse = try evaluator.double(item.value, on: words, context: "a transition reward")
                        for k in 0..<count
                        where groups[Int(explorer.generator.groupOfTransition[k])].action == item.action {
                            value += explorer.generator.rates[k] * impulse
                        }
                    }
                }
                withTransitions[state] = value
            }
        }
        return RewardVectors(stateOnly: stateOnly, withTransitions: withTransitions)
    }
}
