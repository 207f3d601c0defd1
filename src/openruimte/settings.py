"""The one settings object: every ``OPENRUIMTE_*`` environment variable, declared
once and validated on load. No other module reads ``os.environ`` for them.

``Settings()`` reads the environment when it is made (the app factory makes one;
the CLI, the store and the readers make one when they need a value), so a
variable set before a command is what that command sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from openruimte.model import Hardness, Phase
from openruimte.model.geometry import VERTEX_LIMIT


class Settings(BaseSettings):
    """Every setting of OpenRuimte (``openruimte serve``, the CLI, the store, the readers);
    each can be set as ``OPENRUIMTE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="OPENRUIMTE_", extra="ignore")

    database_url: str | None = Field(None, description="SQLite path or database URL (default openruimte.db).")
    public_min_phase: Phase = Field(Phase.ONTWERP, description="Public map: plans from this phase on.")
    public_min_hardness: Hardness = Field(Hardness.VOORGENOMEN, description="Public map: plans at least this hard.")
    base_map: str = Field(
        "offline",
        description=(
            "'offline': the store's own streets and areas; 'pdok': PDOK BRT-Achtergrondkaart WMTS (needs internet)."
        ),
    )
    max_body_bytes: int = Field(50 * 1024 * 1024, ge=1024, description="Largest request body (uploads) in bytes.")
    # --- participation (#16): residents' reactions
    reaction_retention_days: int = Field(
        365, ge=1, le=3650, description="Days a reaction's e-mail address is kept (then erased; the text stays)."
    )
    reaction_report_threshold: int = Field(
        3, ge=1, le=100, description="Reports that hide an approved reaction until a moderator reviews it."
    )
    reaction_rate_per_hour: int = Field(
        5, ge=1, le=1000, description="Reactions (and reports) per IP address per hour."
    )
    bim_dir: str | None = Field(
        None, description="Where the original IFC files are kept (default: <database>.bim/ beside a SQLite file)."
    )
    bim_max_bytes: int = Field(
        1024 * 1024 * 1024, ge=1024, description="Largest BIM model (IFC) upload in bytes (POST /api/bim/...)."
    )
    page_limit: int = Field(10_000, ge=1, description="Largest page of features per request.")
    max_vertices: int = Field(
        250_000, ge=4, description="Largest number of vertices of one feature (every reader and the API)."
    )
    webhook_worker: bool = Field(True, description="Deliver webhooks from a background task of the server.")
    webhook_interval_s: float = Field(10.0, gt=0, description="Seconds between runs of the webhook delivery task.")
    webhook_max_attempts: int = Field(6, ge=1, le=50, description="Attempts per webhook delivery before giving up.")
    webhook_backoff_s: float = Field(
        30.0, ge=0, description="Wait before the 2nd attempt; doubles per attempt, with random jitter (±50 %)."
    )
    forwarded_allow_ips: str = Field(
        "",
        description=(
            "Proxies whose X-Forwarded-For and X-Forwarded-Proto are trusted: comma-separated addresses or "
            "networks (e.g. '10.0.0.5' or '10.0.0.0/24'); empty: none (the headers are ignored)."
        ),
    )
    cors_origins: str = Field(
        "",
        description=(
            "Browser origins on other hosts allowed to read the API and OGC API (CORS), comma-separated "
            "(e.g. 'https://kaart.gemeente.nl'); empty: none (CORS off)."
        ),
    )
    webhook_allow_insecure: bool = Field(
        False, description="Allow plain-http webhook URLs to other machines (default: https, or http to loopback)."
    )
    chromium: str | None = Field(None, description="Chromium to print PDF reports with (default: the first on PATH).")
    data_dir: str | None = Field(
        None,
        description=(
            "Folder for uploaded documents (content-addressed blobs; default: beside a SQLite database "
            "'<db>.files', else 'openruimte-data/<database>' in the working directory)."
        ),
    )
    max_upload_bytes: int = Field(
        25 * 1024 * 1024, ge=1024, description="Largest uploaded document in bytes (also the CLI's document add)."
    )
    rules_bouwvlak_tolerance_m: float = Field(
        0.05, ge=0, le=10, description="Plan-rule checks: how far (m) a footprint may lie outside its bouwvlak."
    )
    rules_height_tolerance_m: float = Field(
        0.05, ge=0, le=10, description="Plan-rule checks: how far (m) a height may exceed its maximum."
    )
    imbor_dir: str | None = Field(
        None, description="IMBOR data folder (crow-imbor2022/ ...) for BGT imports (default: none; --imbor)."
    )
    clearance_distances: str | None = Field(
        None, description="YAML file laid over the default clearance distances (openruimte clearance --distances)."
    )


SETTINGS_DOC = {name: field.description for name, field in Settings.model_fields.items()}


@contextmanager
def vertex_limit(settings: Settings | None = None) -> Iterator[int]:
    """Apply the vertex limit per feature of ``settings`` (else of the environment) to the
    readers for the duration, unless the context already has one (the API sets the server's
    per request)."""
    given = VERTEX_LIMIT.get()
    if given is not None:
        yield given
        return
    limit = (settings or Settings()).max_vertices
    token = VERTEX_LIMIT.set(limit)
    try:
        yield limit
    finally:
        VERTEX_LIMIT.reset(token)
