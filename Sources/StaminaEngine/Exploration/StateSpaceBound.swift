// An upper bound on the number of states a model can have: the product of its variables' declared
// range sizes (nil when a variable is unbounded). Truncation uses it to tell when the rounds are
// about to explore (almost) everything anyway, so that one complete exploration is cheaper
// (`GrowthPolicy.exploresCompletely`).

extension StateLayout {
    var stateSpaceBound: Double? {
        var product = 1.0
        for variable in variables {
            if variable.type == .bool {
                product *= 2
            } else if let lower = variable.lowerBound, let upper = variable.upperBound, upper >= lower {
                product *= Double(upper) - Double(lower) + 1
            } else {
                return nil
            }
        }
        return product
    }
}
