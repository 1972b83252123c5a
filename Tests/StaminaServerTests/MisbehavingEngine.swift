// An engine that misbehaves on demand, for the tests of the server's process handling: a wrapper
// around the real `stamina` that hangs (SLEEP in the model), allocates past the memory limit
// (EXPLODE), refuses the input (BROKEN) or dies without a document (CRASH), writes slow progress
// events first (SLOWEVENTS), leaves a process behind in a session of its own (ESCAPE, its pid in
// the log), and otherwise execs
// the real engine, so every job that succeeds ran the engine for real. What it writes on stdout
// is built from the engine contract's types and exit codes, never hand-written JSON.

import EngineContract
import Foundation
import OrderedJSON

enum MisbehavingEngine {
    static func document(_ failure: CheckFailureDocument.Failure) throws -> String {
        try JSONTextEncoder().encode(CheckFailureDocument(error: failure)).rendered
    }

    /// A `round` event line (from the contract's type) whose iteration is the placeholder ITERATION.
    static func slowRound() throws -> String {
        let round = ProgressEvent.round(
            .init(
                property: 0,
                round: .init(
                    iteration: 999_999, kappa: 1, states: 10, transitions: 20, frontier: 3, pmin: 0, pmax: 1,
                    seconds: 0.01)))
        return try JSONTextEncoder().encode(round).rendered.replacingOccurrences(of: "999999", with: "ITERATION")
    }

    /// Installs the wrapper (and its documents) in `directory`; `sleeps: false` ignores SLEEP.
    static func install(in directory: String, sleeps: Bool = true, name: String = "engine.sh") throws -> String {
        let outOfMemory = directory + "/out-of-memory.json"
        try Data(
            try document(.init(kind: .engine, code: "OUT_OF_MEMORY", message: "out of memory")).utf8
        ).write(to: URL(fileURLWithPath: outOfMemory))
        let broken = directory + "/broken.json"
        try Data(
            try document(
                .init(
                    kind: .input, code: "PARSE_ERROR", message: "model.prism:1:1: unexpected BROKEN",
                    diagnostics: [.init(file: "model.prism", line: 1, column: 1, message: "unexpected BROKEN")])
            ).utf8
        ).write(to: URL(fileURLWithPath: broken))
        let script = """
            #!/bin/bash
            # args: check MODEL PROPS [options] (CheckRequest.arguments)
            model="$2"
            if \(sleeps ? "grep -q SLEEP \"$model\"" : "false"); then
              echo "[INFO]: sleeping" >&2
              sleep 1000 &
              wait
            fi
            if grep -q EXPLODE "$model"; then
              echo "[INFO]: allocating" >&2
              if ! python3 -c 'b = bytearray(6 * 1024 ** 3); print(len(b))' 2>/dev/null; then
                echo "[ERROR]: Could not allocate memory" >&2
                cat '\(outOfMemory)'
                exit \(EngineExitCode.engineError.rawValue)
              fi
              exit \(EngineExitCode.success.rawValue)
            fi
            if grep -q BROKEN "$model"; then
              echo "[ERROR]: model.prism:1:1: error: unexpected BROKEN" >&2
              cat '\(broken)'
              exit \(EngineExitCode.inputError.rawValue)
            fi
            if grep -q CRASH "$model"; then
              echo "[ERROR]: internal failure" >&2
              exit \(EngineExitCode.engineError.rawValue)
            fi
            if grep -q ESCAPE "$model"; then
              setsid sleep 1000 </dev/null >/dev/null 2>&1 &
              echo "[INFO]: escaped $!" >&2
            fi
            if grep -q SLOWEVENTS "$model"; then
              # Rounds with log lines between them; after the third it waits (at most 60 s) for a
              # file named release in its directory, so a test can act while the job is running;
              # then the real engine runs (and appends its own events).
              events=""; previous=""
              for argument in "$@"; do
                [ "$previous" = "\(CheckOption.events.flag)" ] && events="$argument"
                previous="$argument"
              done
              for i in 1 2 3 4 5 6 7 8; do
                echo "[INFO]: round $i" >&2
                echo '\(try slowRound())' | sed "s/ITERATION/$i/" >> "$events"
                if [ "$i" = 3 ]; then
                  for _ in $(seq 1200); do [ -e release ] && break; sleep 0.05; done
                fi
                sleep 0.05
              done
            fi
            exec '\(RunningServer.staminaBinary)' "$@"

            """
        let path = directory + "/" + name
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o755)
        return path
    }
}
