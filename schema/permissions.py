"""Permission classes: authentication and role checks stay out of resolvers."""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission
from strawberry.types import Info

from common.roles import Role


class IsAuthenticated(BasePermission):
    message = "Authentication required: send 'Authorization: Bearer <token>'."
    error_extensions = {"code": "UNAUTHENTICATED"}  # noqa: RUF012 - strawberry reads it per instance

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.user is not None


class _HasRole(BasePermission):
    """Admits ADMIN and ``roles``; anyone else gets this one field as null with a FORBIDDEN error.

    The answer stays HTTP 200 with the rest of the data: one field a role may not read
    must not cost the client everything else it asked for (Apollo hides partial data
    behind a 403). A missing or bad token is refused earlier, at the door, with 401.
    """

    roles: ClassVar[frozenset[Role]] = frozenset()
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 - strawberry reads it per instance

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        user = info.context.user
        return user is not None and user.has_any(self.roles | {Role.ADMIN})


def role_permission(*roles: Role) -> type[BasePermission]:
    """A permission class that admits ADMIN and the given roles."""
    names = ", ".join(sorted({r.value for r in (*roles, Role.ADMIN)}))
    return type(
        f"Requires{''.join(r.value.title().replace('_', '') for r in roles) or 'Admin'}",
        (_HasRole,),
        {"roles": frozenset(roles), "message": f"Forbidden: this needs one of the roles {names}."},
    )


# Who may grant credit (a non-zero starting limit, setCreditLimit).
CREDIT_GRANTORS = frozenset({Role.CREDIT_MANAGER, Role.ADMIN})
# Who may read the audit trail, and with it who changed a limit and why.
AUDIT_READERS = frozenset({Role.CREDIT_MANAGER, Role.FINANCE, Role.EXECUTIVE, Role.ADMIN})

ONBOARDING = role_permission(Role.ONBOARDING)
CREDIT = role_permission(Role.CREDIT_MANAGER)
FINANCE = role_permission(Role.FINANCE)
SALES = role_permission(Role.SALES)
CUSTOMER_ADMIN = role_permission(Role.CREDIT_MANAGER, Role.ONBOARDING, Role.SALES)
ANY_STAFF = role_permission(*Role)
