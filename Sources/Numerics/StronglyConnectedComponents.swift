/// Strongly connected components of the transition graph (edges i -> j with i != j and a positive
/// rate), by Tarjan's algorithm with an explicit stack: chains have millions of states, far more
/// than the call stack allows for recursion.
///
/// Components are numbered in the order Tarjan completes them, which is a reverse topological
/// order: every edge leaving component c goes to a component with a smaller number.
struct StronglyConnectedComponents {
    /// Component number of each state.
    var componentOf: [Int32]
    var count: Int
    /// States of component c are members[memberStart[c] ..< memberStart[c + 1]].
    var memberStart: [Int]
    var members: [Int32]
    /// Whether no edge leaves the component (a bottom strongly connected component).
    var isBottom: [Bool]

    /// With `include`, only edges between included states count: every excluded state is a
    /// component of its own.
    init(graph: SparseMatrix, include: [Bool]? = nil) {
        let n = graph.rowCount
        let unvisited: Int32 = -1
        var index = [Int32](repeating: unvisited, count: n)
        var low = [Int32](repeating: 0, count: n)
        var onStack = [Bool](repeating: false, count: n)
        var stack: [Int32] = []
        var componentOf = [Int32](repeating: -1, count: n)
        var count: Int32 = 0
        var counter: Int32 = 0
        // The recursion as (state, next entry to look at).
        var calls: [(state: Int, entry: Int)] = []
        let rowStart = graph.rowStart
        let columns = graph.columns
        let values = graph.values
        for root in 0..<n where index[root] == unvisited {
            index[root] = counter
            low[root] = counter
            counter += 1
            stack.append(Int32(truncatingIfNeeded: root))
            onStack[root] = true
            calls.append((root, rowStart[root]))
            while let top = calls.last {
                let v = top.state
                if top.entry < rowStart[v + 1] {
                    calls[calls.count - 1].entry = top.entry + 1
                    let w = Int(columns[top.entry])
                    if w == v || values[top.entry] == 0 { continue }
                    if let include, !(include[v] && include[w]) { continue }
                    if index[w] == unvisited {
                        index[w] = counter
                        low[w] = counter
                        counter += 1
                        stack.append(Int32(truncatingIfNeeded: w))
                        onStack[w] = true
                        calls.append((w, rowStart[w]))
                    } else if onStack[w] {
                        low[v] = min(low[v], index[w])
                    }
                } else {
                    calls.removeLast()
                    if let parent = calls.last {
                        low[parent.state] = min(low[parent.state], low[v])
                    }
                    if low[v] == index[v] {
                        while let member = stack.popLast() {
                            onStack[Int(member)] = false
                            componentOf[Int(member)] = count
                            if Int(member) == v { break }
                        }
                        count += 1
                    }
                }
            }
        }
        let components = Int(count)
        var memberStart = [Int](repeating: 0, count: components + 1)
        for c in componentOf { memberStart[Int(c) + 1] += 1 }
        for c in 0..<components { memberStart[c + 1] += memberStart[c] }
        var next = memberStart
        var members = [Int32](repeating: 0, count: n)
        for state in 0..<n {
            let c = Int(componentOf[state])
            members[next[c]] = Int32(truncatingIfNeeded: state)
            next[c] += 1
        }
        var isBottom = [Bool](repeating: true, count: components)
        for state in 0..<n {
            let c = componentOf[state]
            for entry in rowStart[state]..<rowStart[state + 1]
            where values[entry] > 0 && componentOf[Int(columns[entry])] != c {
                isBottom[Int(c)] = false
                break
            }
        }
        self.componentOf = componentOf
        self.count = components
        self.memberStart = memberStart
        self.members = members
        self.isBottom = isBottom
    }

    func members(of component: Int) -> ArraySlice<Int32> {
        members[memberStart[component]..<memberStart[component + 1]]
    }
}
