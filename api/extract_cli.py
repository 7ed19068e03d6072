"""``medcredit extract PATH [--json]``: read one document and print its fields."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from verification import DocumentError, OcrUnavailableError, read_document


def extract(path: Path, as_json: bool) -> int:
    """Print the fields read from ``path``; exit status 2 for a file that cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"medcredit extract: {exc}", file=sys.stderr)
        return 2
    try:
        fields = read_document(data)
    except DocumentError as exc:
        print(f"medcredit extract: {path.name}: {exc.message} ({exc.code.name})", file=sys.stderr)
        return 2
    except OcrUnavailableError as exc:
        print(f"medcredit extract: OCR is not available: {exc}", file=sys.stderr)
        return 3
    result = fields.to_json_dict()
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        width = max(len(k) for k in result)
        for key, value in result.items():
            shown = ", ".join(value) if isinstance(value, list) else ("—" if value is None else value)
            print(f"{key.ljust(width)}  {shown}")
    return 0
