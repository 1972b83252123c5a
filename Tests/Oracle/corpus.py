"""The corpus manifest (Tests/Corpus/manifest.json) and the property files it names."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field

CORPUS_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Corpus"))


@dataclass
class ExpectedError:
    where: str  # "model", "properties" or "constants"
    lines: list | None
    column: int | None
    phrases: list


@dataclass
class Case:
    name: str
    model: str  # absolute path
    properties: str | None  # absolute path
    constants: str
    expect: str  # "accept" or "reject"
    finite: bool
    error: ExpectedError | None = None
    storm_gaps: list = field(default_factory=list)
    storm_properties: dict = field(default_factory=dict)  # index -> override entry
    engine_refuses: str | None = None
    compare_values: bool = True
    large: bool = False
    surrogate: dict | None = None
    closed_form: dict = field(default_factory=dict)  # index -> python expression
    raw: dict = field(default_factory=dict)

    def gap_kinds(self) -> set:
        return {gap["kind"] for gap in self.storm_gaps}


def load_manifest(path: str | None = None) -> list:
    path = path or os.path.join(CORPUS_DIR, "manifest.json")
    base = os.path.dirname(os.path.abspath(path))
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    cases = []
    for entry in doc["cases"]:
        error = None
        if entry.get("error"):
            e = entry["error"]
            error = ExpectedError(where=e["file"], lines=e.get("lines"), column=e.get("column"),
                                  phrases=e.get("phrases", []))
        cases.append(Case(
            name=entry["name"],
            model=os.path.join(base, entry["model"]),
            properties=os.path.join(base, entry["properties"]) if entry.get("properties") else None,
            constants=entry.get("constants", ""),
            expect=entry["expect"],
            finite=entry.get("finite", True),
            error=error,
            storm_gaps=entry.get("stormGaps", []),
            storm_properties={o["index"]: o for o in entry.get("stormProperties", [])},
            engine_refuses=entry.get("engineRefuses"),
            compare_values=entry.get("compareValues", True),
            large=entry.get("large", False),
            surrogate=entry.get("stormSurrogate"),
            closed_form={c["index"]: c["value"] for c in entry.get("closedForm", [])},
            raw=entry,
        ))
    return cases


def property_texts(path: str | None) -> list:
    """The properties of a file, in order: comments dropped, split at ';' and line ends.

    The corpus keeps one property per line (optionally ';'-terminated), which is what makes this
    split exact; it is not a PRISM parser.
    """
    if path is None:
        return []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    texts = []
    for line in text.splitlines():
        line = re.sub(r"//.*$", "", line)
        for chunk in line.split(";"):
            chunk = chunk.strip()
            if chunk:
                texts.append(chunk)
    return texts


def storm_texts(case: Case, texts: list) -> list:
    """Storm-side text per property: the original, a documented replacement, or None (skip)."""
    out = []
    for index, text in enumerate(texts):
        override = case.storm_properties.get(index)
        if override is None:
            out.append(text)
        elif override.get("skip"):
            out.append(None)
        else:
            out.append(override["complementOf"])
    return out
