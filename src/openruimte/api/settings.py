"""Settings of the server, declared once and validated on load (env prefix OPENRUIMTE_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from openruimte.model import Hardness, Phase


class Settings(BaseSettings):
    """Every setting of ``openruimte serve``; each can be set as ``OPENRUIMTE_<NAME>``."""

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
    webhook_allow_insecure: bool = Field(
        False, description="Allow plain-http webhook URLs to other machines (default: https, or http to loopback)."
    )

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


SETTINGS_DOC = {name: field.description for name, field in Settings.model_fields.items()}
