"""Every GraphQL error carries ``extensions.code``, and only system errors are logged loudly.

Codes follow the names Apollo's tooling knows, so generic clients can branch on them:

| code | when |
|---|---|
| ``GRAPHQL_PARSE_FAILED`` | the document is not GraphQL |
| ``GRAPHQL_VALIDATION_FAILED`` | it does not fit the schema (unknown field, wrong literal type, too deep) |
| ``BAD_USER_INPUT`` | a variable or argument value is unusable (a JSON number for a Decimal, a bad id) |
| ``INVALID_CURSOR`` | a page cursor is not one of this list's |
| ``FORBIDDEN`` / ``UNAUTHENTICATED`` | set by the permission classes |
| ``PERSISTED_QUERY_NOT_FOUND`` | set by the persisted-query layer |
| ``INTERNAL_SERVER_ERROR`` | our fault; the message is masked and the traceback logged |
"""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

from schema.extension_runner import StreamingExtensionsRunner

log = logging.getLogger("medcredit.graphql")

INTERNAL = "INTERNAL_SERVER_ERROR"


def is_system_error(error: GraphQLError) -> bool:
    """Unexpected exceptions are masked; validation, input and permission errors are not."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def classify(error: GraphQLError, execution_context: ExecutionContext | None) -> str:
    """The ``extensions.code`` for an error that does not name one itself."""
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if is_system_error(error):
        return INTERNAL
    if error.message.startswith("Variable '$"):
        return "BAD_USER_INPUT"  # the document is fine; a value sent with it is not
    pre_execution = execution_context.pre_execution_errors if execution_context else None
    if pre_execution and any(error is e for e in pre_execution):
        return "GRAPHQL_VALIDATION_FAILED"
    return "BAD_USER_INPUT"


class MedcreditSchema(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        # Live events reach a thousand screens: see schema/extension_runner.py.
        return StreamingExtensionsRunner(execution_context=execution_context, extensions=extensions)

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Give each error its code; a traceback only for our own failures (a 4xx is the client's)."""
        operation = execution_context.operation_name if execution_context else None
        for error in errors:
            code = classify(error, execution_context)
            error.extensions = {**(error.extensions or {}), "code": code}
            if code == INTERNAL:
                log.error(
                    "internal error in %s: %s",
                    operation or "anonymous operation",
                    error.message,
                    exc_info=error.original_error,
                    extra={"operation": operation, "code": code, "path": error.path},
                )
            else:
                log.info(
                    "%s: %s", code, error.message, extra={"operation": operation, "code": code, "path": error.path}
                )


class MaskInternalErrors(MaskErrors):
    """Hide an internal error's message and keep its code, so clients still see what kind it was."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_system_error, error_message="Internal error.")

    def _process_result(self, result: object) -> None:
        # Most results (every live event to every screen) carry no error: skip the base
        # class's runtime-protocol isinstance check, which costs more than the rest here.
        if getattr(result, "errors", None):
            super()._process_result(result)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": INTERNAL}
        return masked
