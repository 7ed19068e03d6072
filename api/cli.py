"""The ``medcredit`` command: tokens, the embedded database, the whole stack, extraction, the schema."""

from __future__ import annotations

import argparse
import contextlib
import sys

from common.roles import Role


def _cmd_token(args: argparse.Namespace) -> int:
    from api.auth import TokenLifetimeError, mint_token
    from infra.settings import load_settings

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

    from infra.embedded_db import EmbeddedMongo
    from infra.settings import load_settings

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


def _cmd_registry_import(args: argparse.Namespace) -> int:
    import asyncio
    import os
    from dataclasses import replace
    from pathlib import Path

    from api.supervisor import running_embedded_url
    from infra.registry import import_registry
    from infra.runtime import open_runtime
    from infra.settings import load_settings

    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"medcredit registry: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    settings = load_settings()
    if settings.mongodb_url is None and (url := running_embedded_url()):
        settings = replace(settings, mongodb_url=url)  # the running stack's database

    async def run():  # type: ignore[no-untyped-def]
        async with open_runtime(settings) as rt:
            return await import_registry(rt.db, text, source=os.path.basename(path), skip_invalid=args.skip_invalid)

    report = asyncio.run(run())
    for line, reason in report.rejected:
        print(f"{path}:{line}: {reason}", file=sys.stderr)
    if report.rejected and not args.skip_invalid:
        print(
            f"medcredit registry: {len(report.rejected)} row(s) rejected; nothing imported "
            "(--skip-invalid keeps the rest)"
        )
        return 1
    print(f"medcredit registry: {report.inserted} new, {report.replaced} replaced, {len(report.rejected)} rejected")
    return 0


def _cmd_import_ledger(args: argparse.Namespace) -> int:
    import asyncio
    from dataclasses import replace
    from pathlib import Path

    from api.supervisor import running_embedded_url
    from infra.progress import Progress
    from infra.runtime import open_runtime
    from infra.settings import load_settings
    from services.ledger_import import count_rows, import_ledger, now_day

    texts = []
    for name in (args.invoices, args.payments):
        if name is None:
            texts.append("")
            continue
        try:
            texts.append(Path(name).read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            print(f"medcredit import: cannot read {name}: {exc}", file=sys.stderr)
            return 2
    settings = load_settings()
    if settings.mongodb_url is None and (url := running_embedded_url()):
        settings = replace(settings, mongodb_url=url)  # the running stack's database
    progress = Progress(count_rows(*texts), "importing ledger")

    async def run():  # type: ignore[no-untyped-def]
        async with open_runtime(settings) as rt:
            return await import_ledger(rt, texts[0], texts[1], today=now_day(), on_row=progress.advance)

    report, _ = asyncio.run(run())
    files = {"invoices": args.invoices, "payments": args.payments}
    for which, line, reason in report.rejected:
        print(f"{files[which]}:{line}: {reason}", file=sys.stderr)
    if report.rejected:
        print(f"medcredit import: {len(report.rejected)} row(s) rejected; nothing imported")
        return 1
    print(
        f"medcredit import: invoices {report.invoices_new} new, {report.invoices_known} already recorded; "
        f"payments {report.payments_new} new, {report.payments_known} already recorded; "
        f"{report.customers_rescored} customer(s) rescored"
    )
    return 0


def _cmd_dossier(args: argparse.Namespace) -> int:
    import asyncio
    import getpass
    from dataclasses import replace
    from pathlib import Path

    from api.supervisor import running_embedded_url
    from infra.runtime import open_runtime
    from infra.settings import load_settings
    from services.dossier import build_dossier
    from services.errors import InvalidInput

    settings = load_settings()
    if settings.mongodb_url is None and (url := running_embedded_url()):
        settings = replace(settings, mongodb_url=url)  # the running stack's database

    async def run() -> bytes:
        async with open_runtime(settings) as rt:
            return (await build_dossier(rt, args.customer, actor=f"cli:{getpass.getuser()}"))[1]

    try:
        pdf = asyncio.run(run())
    except InvalidInput as exc:
        print(f"medcredit dossier: {exc.problems[0].message}", file=sys.stderr)
        return 1
    Path(args.out).write_bytes(pdf)
    print(f"medcredit dossier: wrote {args.out} ({len(pdf)} bytes)")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    import asyncio
    import getpass
    from dataclasses import replace
    from pathlib import Path

    from api.reports.catalogue import Export, ReportRequestError, build_export
    from api.supervisor import running_embedded_url
    from infra.runtime import open_runtime
    from infra.settings import load_settings

    settings = load_settings()
    if settings.mongodb_url is None and (url := running_embedded_url()):
        settings = replace(settings, mongodb_url=url)  # the running stack's database
    params = {
        key: value
        for key, value in (
            ("asOf", args.as_of),
            ("minDays", args.min_days),
            ("region", args.region),
            ("orderBy", args.order_by),
            ("direction", args.direction),
            ("month", args.month),
        )
        if value is not None
    }

    async def run() -> Export:
        async with open_runtime(settings) as rt:
            return await build_export(rt, args.name, args.format, params, actor=f"cli:{getpass.getuser()}")

    try:
        export = asyncio.run(run())
    except ReportRequestError as exc:
        print(f"medcredit report: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out or export.file_name)
    out.write_bytes(export.content)
    print(f"medcredit report: wrote {out} ({len(export.content)} bytes)")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from pathlib import Path

    from schema import served_sdl

    sdl = served_sdl()
    if args.check:
        path = Path(args.check)
        if not path.exists() or path.read_text(encoding="utf-8") != sdl:
            print(f"{path} differs from the served schema: run 'medcredit schema --output {path}'", file=sys.stderr)
            return 1
        return 0
    if args.output:
        Path(args.output).write_text(sdl, encoding="utf-8")
        return 0
    sys.stdout.write(sdl)
    return 0


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

    registry = sub.add_parser("registry", help="the registry of issued licences the verifier consults")
    registry_sub = registry.add_subparsers(dest="registry_command", required=True)
    registry_import = registry_sub.add_parser(
        "import", help="load records from a CSV (certificate_type,number,holder_name,uscc,valid_from,valid_until)"
    )
    registry_import.add_argument("file")
    registry_import.add_argument("--skip-invalid", action="store_true", help="import the good rows when some are bad")
    registry_import.set_defaults(func=_cmd_registry_import)

    imports = sub.add_parser("import", help="go-live: load history from the ERP")
    import_sub = imports.add_subparsers(dest="import_command", required=True)
    ledger = import_sub.add_parser(
        "ledger",
        help="invoices (customer_code,number,amount,issued_on,due_on) and payments "
        "(customer_code,reference,amount,received_on,invoice_numbers) CSVs; idempotent, all or nothing",
    )
    ledger.add_argument("--invoices", metavar="FILE.csv")
    ledger.add_argument("--payments", metavar="FILE.csv")
    ledger.set_defaults(func=_cmd_import_ledger)

    dossier = sub.add_parser("dossier", help="write a customer's qualification dossier (审核报告) as PDF")
    dossier.add_argument("customer", help="the customer code (or its GraphQL id)")
    dossier.add_argument("--out", required=True, metavar="FILE.pdf")
    dossier.set_defaults(func=_cmd_dossier)

    report = sub.add_parser(
        "report", help="export overdue-invoices, credit-utilisation, risk-report (csv|xlsx) or monthly-risk (pdf)"
    )
    report.add_argument("name")
    report.add_argument("--format", choices=["csv", "xlsx", "pdf"], default="xlsx")
    report.add_argument("--out", metavar="FILE", help="where to write it (default: the report's own file name)")
    report.add_argument("--as-of", help="overdue-invoices: the day (YYYY-MM-DD, default today)")
    report.add_argument("--min-days", help="overdue-invoices: at least this many days past due (default 1)")
    report.add_argument("--region", help="overdue-invoices: one region only")
    report.add_argument("--order-by", help="credit-utilisation: UTILISATION, EXPOSURE, LIMIT or CODE")
    report.add_argument("--direction", help="credit-utilisation: ASC or DESC (default DESC)")
    report.add_argument("--month", help="monthly-risk: YYYY-MM (default this month)")
    report.set_defaults(func=_cmd_report)

    schema = sub.add_parser("schema", help="print the served GraphQL schema (SDL), for codegen")
    target = schema.add_mutually_exclusive_group()
    target.add_argument("--output", metavar="PATH", help="write it to PATH instead of printing it")
    target.add_argument("--check", metavar="PATH", help="exit 1 when PATH differs from the served schema")
    schema.set_defaults(func=_cmd_schema)

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
