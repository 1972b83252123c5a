// The engine/server contract: what `stamina check` promises to whoever runs it as a process (the
// job server's workers, `stamina check --server`, the Python client, scripts). This comment is the
// contract; the types of this target are its code, so that renaming a flag or a key is one edit
// here and a compile error (or a failing golden test) everywhere it matters. The target depends on
// nothing, so a worker on another machine can link it without the engine or the server.
//
// 1. Invocation. `stamina check MODEL [PROPS] [options]`: `CheckRequest` holds every option, its
//    `arguments` is the argument vector, and `CheckOption` names each flag once (the CLI's parser
//    is declared with the same names). `CheckRequest.validate()` is the one table of ranges (see
//    `CheckRequest.ranges`); the CLI and the server refuse exactly the same values.
//    `--const` carries PRISM's `NAME=VALUE,...` text (ranges `start:end` / `start:step:end` make
//    an experiment, one run per valuation); it is opaque here and parsed by the PRISM front end.
//
// 2. Exit codes (`EngineExitCode`): 0 the run finished (each property has a result or its own
//    error); 1 input error (unreadable file, parse error, bad flag, every property refused as
//    unsupported); 2 engine error (runtime model error, a limit, nothing computed). Anything else
//    is a crash: the caller must not trust stdout.
//
// 3. Stdout with `--json`: exactly one JSON object. On success a `CheckResult` (keys in the order
//    of its `CodingKeys`: `engine`, `model`, `parameters`, `properties`, `states`, `transitions`,
//    `initialStates`, `seconds`, `peakMemoryBytes`), one `PropertyResult` per property and per
//    valuation of an experiment. On failure (exit 1 or 2) a `CheckFailureDocument`:
//    `{"error": {"kind": "input"|"engine", "code", "message", "diagnostics": [...]}}`. Absent
//    values are `null`, never omitted; non-finite numbers are `null`. Integers are written without
//    a fraction, reals with one (`1.0`), as Swift's shortest round-trip text.
//
// 4. Stderr: human lines, each starting `[INFO]: `, `[WARNING]: `, `[ERROR]: ` or `[MESSAGE]: `;
//    the last line of a finished run is `[MESSAGE]: Finished running!`. Not machine-readable
//    beyond those prefixes (the server shows them as the job log).
//
// 5. `--events FILE`: one JSON object per line, appended and flushed per line (`ProgressEvent`):
//    a `round` event after every refinement round of a property, then a `property` event when the
//    property is finished. A reader must treat a last line without a newline as not yet written.
//
// 6. The status file of `stamina worker-exec` (`ChildStatus`): how the engine child ended (exit
//    code or signal), what it used (peak RSS, CPU seconds), which sandbox layers were in force, and
//    why it never ran (`startError`). Written once, after the child was reaped.
//
// The JSON is written by the project's one writer (`OrderedJSON.JSONText`, through
// `JSONTextEncoder`) from these types' `encode(to:)`, and read back with Foundation's
// `JSONDecoder` and their `init(from:)`; `Tests/StaminaServerTests/EngineContractGoldenTests`
// decodes real runs of corpus models.

/// The exit statuses of `stamina check` (section 2 above).
public enum EngineExitCode: Int32, Sendable, CaseIterable {
    case success = 0
    case inputError = 1
    case engineError = 2
}
