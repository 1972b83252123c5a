import Foundation

/// A stand-in for `stamina check` that follows the engine's process contract (CONTRACTS.md section
/// 2: exit codes, `--json` on stdout, plain messages on stderr, `--events` lines) and whose
/// behaviour the model text chooses. It tests the server's process handling without depending on
/// the engine's numbers; `EngineJobTests` runs the real engine.
enum FakeEngine {
    static let script = #"""
        #!/bin/bash
        # args: check MODEL PROPS --json --events FILE ...
        model="$2"; events=""
        while [ $# -gt 0 ]; do
          if [ "$1" = "--events" ]; then events="$2"; fi
          shift
        done
        if grep -q SLEEP "$model"; then
          echo "[INFO]: sleeping" >&2
          sleep 1000 &
          wait
        fi
        if grep -q EXPLODE "$model"; then
          echo "[INFO]: allocating" >&2
          if ! python3 -c 'b = bytearray(6 * 1024 ** 3); print(len(b))' 2>/dev/null; then
            echo "[ERROR]: Could not allocate memory" >&2
            echo '{"error": {"kind": "engine", "code": "OUT_OF_MEMORY", "message": "out of memory"}}'
            exit 2
          fi
          exit 0
        fi
        if grep -q BROKEN "$model"; then
          echo "[ERROR]: model.prism:1:1: error: unexpected BROKEN" >&2
          echo '{"error": {"kind": "input", "code": "PARSE_ERROR", "message": "model.prism:1:1: unexpected BROKEN", "diagnostics": []}}'
          exit 1
        fi
        if grep -q CRASH "$model"; then
          echo "[ERROR]: internal failure" >&2
          exit 2
        fi
        if grep -q SLOWEVENTS "$model"; then
          # Rounds with log lines between them; after the third it waits (at most 60 s) for a
          # file named release in its directory, so a test can act while the job is running.
          for i in 1 2 3 4 5 6 7 8; do
            echo "[INFO]: round $i" >&2
            echo "{\"type\":\"round\",\"property\":0,\"iteration\":$i,\"kappa\":1.0,\"states\":$i,\"transitions\":20,\"frontier\":3,\"pmin\":0.0,\"pmax\":1.0,\"seconds\":0.01}" >> "$events"
            if [ "$i" = 3 ]; then
              for _ in $(seq 1200); do [ -e release ] && break; sleep 0.05; done
            fi
            sleep 0.05
          done
        fi
        echo "[INFO]: Using iterative method <fake>" >&2
        echo '{"type":"round","property":0,"iteration":1,"kappa":1.0,"states":10,"transitions":20,"frontier":3,"pmin":0.0,"pmax":1.0,"seconds":0.01}' >> "$events"
        echo '{"type":"property","property":0,"pmin":0.25,"pmax":0.2505,"windowReached":true}' >> "$events"
        echo "[MESSAGE]: Finished running!" >&2
        echo 'transitions' > transitions.txt
        cat <<'JSON'
        {"engine": {"name": "stamina", "version": "0.1.0"}, "properties": [{"name": null, "text": "P=? [ F<=10 goal ]", "kind": "probability", "pmin": 0.25, "pmax": 0.2505, "window": 0.0005, "windowReached": true, "verdict": null, "states": 123, "transitions": 456, "iterations": 3, "kappa": 0.00064, "rounds": [], "error": null}], "states": 123, "transitions": 456, "seconds": {"total": 0.5}, "peakMemoryBytes": 12345678}
        JSON
        exit 0
        """#

    static func install(in directory: String) throws -> String {
        let path = directory + "/fake-engine.sh"
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o755)
        return path
    }
}
