// StaminaEngine: from a checked PRISM model to certified probability bounds.
//
// The flow: `ExpressionCompiler` turns the model's expressions into flat typed instructions,
// `StateLayout` packs valuations into words, `StateStore` numbers packed states,
// `SuccessorGenerator` computes transitions, `Explorer` grows the explored graph under STAMINA's
// reachability truncation, `TruncatedCTMC` turns it into a sparse rate matrix with an absorbing
// sink, and `PropertyChecker` computes [Pmin, Pmax] with the solvers in `Numerics/`.
// `CheckRun` drives the per-property refinement loop and reports rounds as they happen.
//
// Must not depend on: the command line, JSON, HTTP or the file system (exports write to a
// caller-supplied text sink). `Numerics/` must not depend on PRISM.
