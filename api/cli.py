"""The ``medcredit`` command: tokens, the embedded database, the whole stack, extraction."""

from __future__ import annotations

import argparse
import contextlib
import sys

from scoring.roles import Role


def _cmd_token(args: argparse.Namespace) -> int:
    from api.auth import TokenLifetimeError, mint_token
    from api.settings import load_settings

    settings = load_settings()
    roles = [Role(r.upper()) for r in args.role]
    hours = args.hours if args.hours is not None else settings.token_ttl_hours
    try:
        token = mint_token(settings.secret_key, args.subject, roles, hours, max_hours=settings.token_max_hours)
    except TokenLifetimeError:
        print(
            f"medcredit token: --hours must be more than 0 and at most {settings.token_max_hours} "
            "(MEDCREDIT_TOKEN_MAX_HOURS)",
            file=sys.stderr,
        )
        return 2
    print(token)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from api.supervisor import run_stack

    return run_stack(host=args.host, port=args.port)


def _cmd_db(args: argparse.Namespace) -> int:
    import asyncio

    from api.embedded_db import EmbeddedMongo
    from api.settings import load_settings

    settings = load_settings()
    server = EmbeddedMongo(settings.data_dir / "db", host=args.host, port=args.port)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(server.serve_forever())
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from pathlib import Path

    from api.extract_cli import extract

    return extract(Path(args.path), args.json)


def _cmd_demo(args: argparse.Namespace) -> int:
    from api.demo import load_demo

    return load_demo(args.url, customers=args.customers, seed=args.seed)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="medcredit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    token = sub.add_parser("token", help="print a bearer token the running server accepts")
    token.add_argument("--subject", required=True, help="who the token is for")
    token.add_argument(
        "--role",
        action="append",
        required=True,
        choices=[r.value for r in Role] + [r.value.lower() for r in Role],
        help="a role to grant (repeatable)",
    )
    token.add_argument(
        "--hours", type=float, default=None, help="validity in hours (capped by MEDCREDIT_TOKEN_MAX_HOURS)"
    )
    token.set_defaults(func=_cmd_token)

    run = sub.add_parser("run", help="start database, API, worker and scheduler in the foreground")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.set_defaults(func=_cmd_run)

    extract = sub.add_parser("extract", help="read one licence (PDF, JPEG or PNG) and print its fields")
    extract.add_argument("path")
    extract.add_argument("--json", action="store_true", help="print JSON")
    extract.set_defaults(func=_cmd_extract)

    demo = sub.add_parser("demo", help="load a realistic demo data set into the running system")
    demo.add_argument("--url", default="http://127.0.0.1:8000/graphql")
    demo.add_argument("--customers", type=int, default=24)
    demo.add_argument("--seed", type=int, default=2026)
    demo.set_defaults(func=_cmd_demo)

    db = sub.add_parser("db", help="serve the embedded MongoDB-compatible database")
    db.add_argument("--host", default="127.0.0.1")
    db.add_argument("--port", type=int, default=27018)
    db.set_defaults(func=_cmd_db)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
