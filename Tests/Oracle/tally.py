"""One line per check and the closing `N passed, N failed[, N skipped]` line."""

from __future__ import annotations

import sys


class Tally:
    def __init__(self, out=None) -> None:
        self.out = out or sys.stdout
        self.passed = self.failed = self.skipped = 0
        self.failures: list = []

    def _line(self, word: str, what: str, detail: str) -> None:
        self.out.write(f"{word} {what}" + (f": {detail}" if detail else "") + "\n")
        self.out.flush()

    def ok(self, what: str, detail: str = "") -> None:
        self.passed += 1
        self._line("PASS", what, detail)

    def fail(self, what: str, detail: str = "") -> None:
        self.failed += 1
        self.failures.append(f"{what}: {detail}")
        self._line("FAIL", what, detail)

    def skip(self, what: str, detail: str = "") -> None:
        self.skipped += 1
        self._line("SKIP", what, detail)

    def expect(self, condition: bool, what: str, detail: str = "") -> bool:
        (self.ok if condition else self.fail)(what, detail)
        return condition

    def summary(self) -> str:
        line = f"{self.passed} passed, {self.failed} failed"
        if self.skipped:
            line += f", {self.skipped} skipped"
        return line
