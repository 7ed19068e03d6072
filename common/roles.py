"""User roles; the warning ladder routes each warning to the roles that must act."""

from __future__ import annotations

from enum import Enum


class Role(Enum):
    """A user's role; member names equal the GraphQL ``Role`` enum."""

    ADMIN = "ADMIN"
    CREDIT_MANAGER = "CREDIT_MANAGER"
    FINANCE = "FINANCE"
    SALES = "SALES"
    ONBOARDING = "ONBOARDING"
    EXECUTIVE = "EXECUTIVE"
    VIEWER = "VIEWER"
