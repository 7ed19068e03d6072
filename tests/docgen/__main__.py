"""CLI: ``python -m tests.docgen OUT_DIR --n 60 --seed 1``.

Writes each document under OUT_DIR and a ``truth.json`` listing filename,
rendering, mime type and the truth of every document.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from .generate import DEFAULT_RENDERINGS, RENDERINGS, generate_set


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, generate the set and write it out."""
    parser = argparse.ArgumentParser(prog="python -m tests.docgen", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--renderings", default=",".join(DEFAULT_RENDERINGS), help=f"comma-separated subset of {','.join(RENDERINGS)}"
    )
    args = parser.parse_args(argv)

    renderings = tuple(r.strip() for r in args.renderings.split(",") if r.strip())
    args.out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    docs = generate_set(args.n, args.seed, renderings)
    manifest = []
    for doc in docs:
        (args.out_dir / doc.filename).write_bytes(doc.data)
        manifest.append(
            {"filename": doc.filename, "rendering": doc.rendering, "mime": doc.mime, "truth": doc.truth.to_json_dict()}
        )
    (args.out_dir / "truth.json").write_text(
        json.dumps({"seed": args.seed, "n": args.n, "documents": manifest}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    elapsed = time.perf_counter() - started
    print(f"wrote {len(docs)} documents to {args.out_dir} in {elapsed:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
