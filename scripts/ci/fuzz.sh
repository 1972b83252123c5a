#!/usr/bin/env bash
# Builds the libFuzzer targets under Fuzz/ and runs each for a bounded time, seeded from
# Tests/Corpus; exits non-zero when a target crashes, traps, leaks out of its time budget or
# cannot be built. Run after `swift build` (the submission target links the debug objects).
#
#   scripts/ci/fuzz.sh              # each target for FUZZ_SECONDS (default 60, at most 120)
#   scripts/ci/fuzz.sh prism        # one target
#
# Only the code under test is instrumented (-sanitize=fuzzer,address): the PRISM sources are
# compiled with their harness into one executable, and the submission parser's file with its
# harness, linked against the ordinary debug objects of everything else, so SwiftNIO is never
# rebuilt with the sanitizer. A crash leaves its input in .build/fuzz/<target>/crash-*; turn it
# into a regression test named after the bug (see Fuzz/README.md).
set -euo pipefail

cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:/opt/swift/bin:$PATH"
root=$PWD
out="$root/.build/fuzz"
seconds="${FUZZ_SECONDS:-60}"
if [ "$seconds" -gt 120 ]; then seconds=120; fi
only="${1:-all}"
mkdir -p "$out/bin"

# gold warns once per ASan helper symbol; nothing else is dropped.
quiet_linker() { grep -v "Cannot export local symbol" || true; }

build_prism() {
    mapfile -t sources < <(find Sources/PRISM -name '*.swift' | sort)
    swiftc -sanitize=fuzzer,address -parse-as-library -Onone -g -module-name PRISMFuzz \
        "${sources[@]}" Fuzz/PRISMFrontEnd/*.swift -o "$out/bin/prism-frontend" 2>&1 | quiet_linker
}

seed_prism() {
    local seeds="$out/prism-frontend-seeds"
    rm -rf "$seeds" && mkdir -p "$seeds"
    local model stem properties
    for model in Tests/Corpus/models/*.prism Tests/Corpus/errors/*.prism; do
        stem=$(basename "$model" .prism)
        properties="Tests/Corpus/properties/$stem.csl"
        { cat "$model"; if [ -f "$properties" ]; then printf '\0'; cat "$properties"; fi; } \
            >"$seeds/$(basename "$(dirname "$model")")-$stem"
    done
    for properties in Tests/Corpus/errors/*.csl; do
        { cat Tests/Corpus/errors/ok_model.prism; printf '\0'; cat "$properties"; } \
            >"$seeds/errors-$(basename "$properties" .csl)"
    done
}

build_submission() {
    if [ ! -f .build/debug/stamina.product/Objects.LinkFileList ]; then
        swift build
    fi
    local build
    build=$(cd .build && pwd -P)
    mapfile -t flags < <(python3 Fuzz/swiftpm_flags.py "$build" compile StaminaServer)
    python3 Fuzz/swiftpm_flags.py "$build" objects >"$out/submission-objects.rsp"
    swiftc -sanitize=fuzzer,address -parse-as-library -Onone -g -module-name SubmissionFuzz \
        "${flags[@]}" -Xfrontend -testable-import-module -Xfrontend StaminaServer \
        Sources/StaminaServer/HTTP/SubmissionForm.swift Sources/StaminaServer/HTTP/MultipartHeaderGuard.swift \
        Fuzz/SubmissionForm/*.swift \
        "@$out/submission-objects.rsp" -lstdc++ -ldl -o "$out/bin/submission-form" 2>&1 | quiet_linker
}

seed_submission() {
    local seeds="$out/submission-form-seeds"
    rm -rf "$seeds" && mkdir -p "$seeds"
    local model stem properties
    for model in Tests/Corpus/models/*.prism; do
        stem=$(basename "$model" .prism)
        properties="Tests/Corpus/properties/$stem.csl"
        [ -f "$properties" ] || continue
        python3 Fuzz/submission_seeds.py "$model" "$properties" "$seeds/$stem"
    done
}

# Runs one target; libFuzzer exits non-zero on a crash, a leak, or an input slower than -timeout.
run() {
    local name="$1" dictionary="$2"
    local dir="$out/$name"
    mkdir -p "$dir/corpus"
    echo "fuzz: $name for ${seconds} s"
    # pipefail (inherited) makes the subshell fail when the fuzzer or `timeout` does.
    (cd "$dir" && timeout --kill-after=10 $((seconds + 60)) "$out/bin/$name" corpus "$out/$name-seeds" \
        -dict="$root/$dictionary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 2>&1 | tail -n 40)
}

status=0
if [ "$only" = all ] || [ "$only" = prism ]; then
    build_prism && seed_prism && run prism-frontend Fuzz/prism.dict || status=1
fi
if [ "$only" = all ] || [ "$only" = submission ]; then
    build_submission && seed_submission && run submission-form Fuzz/submission.dict || status=1
fi
exit "$status"
