"""An independent steady-state computation (SciPy sparse LU) on the CTMC Storm built.

Storm's steady-state values differed between its own solvers by up to 0.3 on stiff models
(tandem queue, measured), so a long-run value is trusted only when this second method agrees.
Method: bottom strongly connected components (BSCCs); per BSCC solve pi Q = 0 with sum pi = 1;
then the probability of ending in each BSCC, weighted by the goal mass there, from one linear
solve over the transient states of the embedded jump chain.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sparse
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as linalg


def rate_matrix(model) -> sparse.csr_matrix:
    """Storm's CTMC transition matrix holds rates; self-loops (fixed deadlocks) are dropped."""
    rows, cols, rates = [], [], []
    matrix = model.transition_matrix
    for state in range(model.nr_states):
        for entry in matrix.get_row(state):
            rate = float(entry.value)
            if entry.column != state and rate > 0:
                rows.append(state)
                cols.append(entry.column)
                rates.append(rate)
    n = model.nr_states
    return sparse.csr_matrix((rates, (rows, cols)), shape=(n, n))


def long_run_probability(model, goal: np.ndarray, initial: int) -> float:
    """Long-run probability of being in a `goal` state, starting from `initial`."""
    rates = rate_matrix(model)
    n = rates.shape[0]
    count, component = csgraph.connected_components(rates, directed=True, connection="strong")
    # A component is bottom when no rate leaves it.
    coo = rates.tocoo()
    leaves = np.zeros(count, dtype=bool)
    leaves[component[coo.row[component[coo.row] != component[coo.col]]]] = True
    bottom = ~leaves
    goal_mass = np.zeros(n)
    in_bottom = bottom[component]
    for c in np.nonzero(bottom)[0]:
        members = np.nonzero(component == c)[0]
        if len(members) == 1:
            pi = np.ones(1)
        else:
            local = rates[members][:, members].tocsc()
            generator = local - sparse.diags(np.asarray(local.sum(axis=1)).ravel())
            system = generator.T.tolil()
            system[len(members) - 1, :] = np.ones(len(members))
            rhs = np.zeros(len(members))
            rhs[-1] = 1.0
            pi = linalg.spsolve(system.tocsc(), rhs)
            residual = np.abs(generator.T @ pi).max() / max(1.0, np.abs(local.data).max())
            if residual > 1e-12:
                raise ArithmeticError(f"steady-state residual {residual:.1e} too large")
        goal_mass[members] = pi[goal[members]].sum()
    if in_bottom[initial]:
        return float(goal_mass[initial])
    transient = np.nonzero(~in_bottom)[0]
    exit_rates = np.asarray(rates.sum(axis=1)).ravel()
    jump = sparse.diags(1.0 / exit_rates[transient]) @ rates[transient]
    inner = jump[:, transient]
    outer = jump[:, np.nonzero(in_bottom)[0]] @ goal_mass[in_bottom]
    system = sparse.identity(len(transient), format="csc") - inner.tocsc()
    values = linalg.spsolve(system, outer)
    position = int(np.searchsorted(transient, initial))
    return float(values[position])
