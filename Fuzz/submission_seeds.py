#!/usr/bin/env python3
"""Writes one corpus pair (model, properties) as three submission-form fuzz seeds.

A seed is `Content-Type line LF body` (see Fuzz/SubmissionForm/FuzzSubmissionForm.swift), in each
encoding the server accepts: multipart/form-data, application/x-www-form-urlencoded, JSON.

usage: submission_seeds.py MODEL PROPERTIES OUTPUT_PREFIX
"""

import json
import sys
import urllib.parse


def main() -> None:
    model_path, properties_path, prefix = sys.argv[1:4]
    model = open(model_path, encoding="utf-8").read()
    properties = open(properties_path, encoding="utf-8").read()
    boundary = "fuzzboundary"
    parts = [
        ("model_file", "model.prism", model),
        ("prop_file", "props.csl", properties),
        ("constants", None, "N=2"),
    ]
    body = ""
    for name, filename, text in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n{text}\r\n"
    body += f"--{boundary}--\r\n"
    seeds = {
        "multipart": f"multipart/form-data; boundary={boundary}\n{body}",
        "urlencoded": "application/x-www-form-urlencoded\n"
        + urllib.parse.urlencode({"model": model, "properties": properties, "kappa": "0.1"}),
        "json": "application/json\n"
        + json.dumps(
            {
                "model": {"name": "m.prism", "content": model},
                "properties": properties,
                "parameters": {"window": 0.001, "exact": False},
                "constants": {"N": 2},
            }
        ),
    }
    for kind, text in seeds.items():
        with open(f"{prefix}-{kind}", "w", encoding="utf-8") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
