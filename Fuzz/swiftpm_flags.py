#!/usr/bin/env python3
"""Prints what a hand-made swiftc command needs to compile against the package's debug build.

`scripts/ci/fuzz.sh` instruments only the code under test; everything else it uses (NIOCore,
MultipartKit, StaminaServer's other types) comes from the ordinary `swift build` objects, so CI
does not rebuild SwiftNIO with the sanitizer. SwiftPM records the exact compile command of every
module in `.build/debug.yaml` and the link inputs in `stamina.product/Objects.LinkFileList`; this
script reads both and rewrites the recorded `.build` location to the one given (the build may have
been made under another path).

usage: swiftpm_flags.py BUILD_DIR compile MODULE   -> search paths, -Xcc module maps, defines
       swiftpm_flags.py BUILD_DIR objects          -> every object of the `stamina` product but
                                                      the executable's own (its `main`), quoted
                                                      for a swiftc response file
"""

import json
import re
import sys


def relocate(text: str, build: str) -> str:
    """`/old/place/.build/x` (possibly after `-flag=`) becomes `BUILD/x`."""
    prefix, equals, path = text.rpartition("=") if text.startswith("-") else ("", "", text)
    return prefix + equals + re.sub(r"^.*?/\.build/", build.rstrip("/") + "/", path)


def compile_flags(build: str, module: str) -> list[str]:
    with open(f"{build}/debug.yaml", encoding="utf-8") as handle:
        text = handle.read()
    marker = f'"C.{module}-'
    start = text.find(marker)
    if start < 0:
        sys.exit(f"no compile command for module {module} in {build}/debug.yaml")
    args_at = text.find("args: [", start)
    end = text.find("]\n", args_at)
    args = json.loads(text[args_at + len("args: ") : end + 1])
    keep: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-I", "-Xcc") and index + 1 < len(args):
            keep += [arg, relocate(args[index + 1], build)]
            index += 2
            continue
        if arg.startswith("-D") or arg.startswith("-I"):
            keep.append(relocate(arg, build) if arg.startswith("-I") else arg)
        index += 1
    return keep


def objects(build: str) -> list[str]:
    with open(f"{build}/debug/stamina.product/Objects.LinkFileList", encoding="utf-8") as handle:
        paths = [line.strip().strip("'\"") for line in handle if line.strip()]
    # Quoted, as in a swiftc response file: some object names have spaces.
    return ["'" + relocate(path, build) + "'" for path in paths if "/stamina.build/" not in path]


def main() -> None:
    build, what = sys.argv[1], sys.argv[2]
    if what == "compile":
        print("\n".join(compile_flags(build, sys.argv[3])))
    elif what == "objects":
        print("\n".join(objects(build)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
