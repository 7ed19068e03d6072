"""Runtime settings, read once from the environment with casts and defaults.

Everything the processes share (database, broker, secret, limits) is here, so the
API, the worker and the scheduler agree on one configuration.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from common.errors import MedcreditError

# Where scripts/fetch-graphiql.sh installs GraphiQL's files in a checkout.
DEFAULT_GRAPHIQL_DIR = Path(__file__).resolve().parents[1] / "vendor" / "graphiql"


class SettingsError(MedcreditError, RuntimeError):
    """A setting is present but unusable."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    mongodb_url: str | None
    mongodb_db: str
    redis_url: str
    secret_key: str
    token_ttl_hours: int
    max_upload_bytes: int
    max_pages: int
    query_depth_limit: int
    policy_path: Path | None
    # The verifier's consistency rules (verification/rules.toml by default).
    verification_rules_path: Path | None = None
    # An outside licence-verification service (see infra/registry.py).
    registry_url: str | None = None
    registry_key: str | None = None
    registry_timeout_seconds: float = 5.0
    # Browser origins (scheme://host[:port]) whose pages may call the API and open its WebSocket.
    cors_origins: tuple[str, ...] = ()
    # GraphiQL's browser files, installed by scripts/fetch-graphiql.sh (see api/graphiql.py).
    graphiql_dir: Path = DEFAULT_GRAPHIQL_DIR
    # Automatic persisted queries kept per API process (least recently used dropped first).
    persisted_queries: int = 1000
    # Resource limits (README "Limits"): what one request or upload may cost.
    max_page_points: int = 2000
    max_image_pixels: int = 25_000_000
    max_json_bytes: int = 1024 * 1024
    token_max_hours: int = 24 * 7
    max_aliases: int = 15
    max_tokens: int = 2000
    rate_limit_per_second: int = 20
    rate_limit_burst: int = 400
    # Notification channels (services/notifications.py): e-mail over SMTP, webhooks.
    smtp_url: str | None = None
    smtp_sender: str = "medcredit@localhost"
    templates_dir: Path | None = None
    # Attempts per delivery (waits double from the base, at most an hour): 12 span about an hour.
    notify_max_attempts: int = 12
    notify_backoff_seconds: int = 2
    # An outside credit-information provider pulled for ratings (services/signals.py).
    ratings_url: str | None = None
    ratings_key: str | None = None

    @property
    def embedded_db(self) -> bool:
        return self.mongodb_url is None


def secret_from(data_dir: Path) -> str:
    """Return ``MEDCREDIT_SECRET`` or a secret generated once under ``data_dir``.

    The generated file lets ``medcredit token`` and the running server agree on a key
    on one machine without anyone putting a secret in the repository.
    """
    env = os.environ.get("MEDCREDIT_SECRET")
    if env:
        if len(env) < 32:
            raise SettingsError("MEDCREDIT_SECRET must be at least 32 characters")
        return env
    path = data_dir / "secret.key"
    if not path.exists():
        private_dir(data_dir)
        # Created 0600 in one step: never readable by others, not even for a moment.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _origins(name: str) -> tuple[str, ...]:
    from strawberry.http.websocket_origin import normalize_allowed_origins

    raw = [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]
    try:
        normalize_allowed_origins(raw)
    except ValueError as exc:
        raise SettingsError(f"{name}: {exc}") from exc
    return tuple(raw)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and make it 0700: only the owner may enter."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if needed, 0600 from the start, and keep an existing one 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    path.chmod(0o600)
    return path


def load_settings() -> Settings:
    """Read the settings from the environment."""
    data_dir = Path(os.environ.get("MEDCREDIT_DATA_DIR", "var")).resolve()
    return Settings(
        data_dir=data_dir,
        mongodb_url=os.environ.get("MONGODB_URL") or None,
        mongodb_db=os.environ.get("MONGODB_DB", "medcredit"),
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        secret_key=secret_from(data_dir),
        token_ttl_hours=_int("MEDCREDIT_TOKEN_TTL_HOURS", 12),
        max_upload_bytes=_int("MEDCREDIT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024),
        max_pages=_int("MEDCREDIT_MAX_PAGES", 10),
        query_depth_limit=_int("MEDCREDIT_QUERY_DEPTH_LIMIT", 10),
        max_page_points=_int("MEDCREDIT_MAX_PAGE_POINTS", 2000),
        max_image_pixels=_int("MEDCREDIT_MAX_IMAGE_PIXELS", 25_000_000),
        max_json_bytes=_int("MEDCREDIT_MAX_JSON_BYTES", 1024 * 1024),
        token_max_hours=_int("MEDCREDIT_TOKEN_MAX_HOURS", 24 * 7),
        max_aliases=_int("MEDCREDIT_MAX_ALIASES", 15),
        max_tokens=_int("MEDCREDIT_MAX_TOKENS", 2000),
        rate_limit_per_second=_int("MEDCREDIT_RATE_LIMIT_PER_SECOND", 20),
        rate_limit_burst=_int("MEDCREDIT_RATE_LIMIT_BURST", 400),
        # The credit policy (scoring/policy.toml by default): weights, grades, limits, ladder.
        policy_path=Path(os.environ["MEDCREDIT_POLICY"]) if os.environ.get("MEDCREDIT_POLICY") else None,
        verification_rules_path=(
            Path(os.environ["MEDCREDIT_VERIFICATION_RULES"]) if os.environ.get("MEDCREDIT_VERIFICATION_RULES") else None
        ),
        registry_url=os.environ.get("MEDCREDIT_REGISTRY_URL") or None,
        registry_key=os.environ.get("MEDCREDIT_REGISTRY_KEY") or None,
        registry_timeout_seconds=_int("MEDCREDIT_REGISTRY_TIMEOUT_SECONDS", 5),
        # Comma-separated, none by default: e.g. http://localhost:5173 for a Vite dev server.
        cors_origins=_origins("MEDCREDIT_CORS_ORIGINS"),
        persisted_queries=_int("MEDCREDIT_PERSISTED_QUERIES", 1000),
        graphiql_dir=Path(os.environ.get("MEDCREDIT_GRAPHIQL_DIR") or DEFAULT_GRAPHIQL_DIR).resolve(),
        smtp_url=os.environ.get("MEDCREDIT_SMTP_URL") or None,
        smtp_sender=os.environ.get("MEDCREDIT_SMTP_SENDER") or "medcredit@localhost",
        templates_dir=(
            Path(os.environ["MEDCREDIT_TEMPLATES_DIR"]) if os.environ.get("MEDCREDIT_TEMPLATES_DIR") else None
        ),
        notify_max_attempts=_int("MEDCREDIT_NOTIFY_MAX_ATTEMPTS", 12),
        notify_backoff_seconds=_int("MEDCREDIT_NOTIFY_BACKOFF_SECONDS", 2),
        ratings_url=os.environ.get("MEDCREDIT_RATINGS_URL") or None,
        ratings_key=os.environ.get("MEDCREDIT_RATINGS_KEY") or None,
    )
