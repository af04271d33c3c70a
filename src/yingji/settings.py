"""Runtime settings: one ``Settings`` class read from the environment (prefix ``YINGJI_``).

Everything a deployment may change lives here. Secrets have no usable default outside demo
mode: ``Settings.check()`` refuses to start a non-demo deployment with the shipped key.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

# The deployment zone when none is set: mainland China keeps one zone all year.
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEMO_SECRET = "yingji-demo-secret-do-not-use-in-production"  # noqa: S105 (a marker, refused)


class Settings(BaseSettings):
    """Deployment settings; every field can be set as ``YINGJI_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="YINGJI_", extra="ignore")

    database_url: str = "sqlite:///var/yingji.db"
    secret_key: str = DEMO_SECRET
    demo: bool = False
    district_code: str = "500153"
    district_short_name: str = "荣昌"
    timezone: str = DEFAULT_TIMEZONE
    # Map tiles are optional: bureaus on isolated networks run their own tile server or none.
    map_tiles_url: str = ""
    map_center: str = "105.53,29.45"
    map_zoom: int = 11
    # Login throttling: this many failures of one username from one client address inside
    # the window lock that pair until the window has passed; one client failing
    # ``login_client_failure_factor`` times as often (any usernames) is locked as a whole.
    # Counting per (username, client) means nobody elsewhere can keep an account locked.
    login_max_failures: int = 5
    login_window_minutes: int = 15
    login_client_failure_factor: int = 4
    api_token_hours: int = 12
    # Second factor (TOTP, RFC 6238): the roles that must present one at sign-in (等保 2.0 三级
    # 8.1.4.1 d asks two factors of administrators). A JSON list in YINGJI_TOTP_REQUIRED_ROLES;
    # users of other roles may enrol voluntarily. accounts/second_factor.py.
    totp_required_roles: frozenset[str] = frozenset({"admin"})
    # The name authenticator apps show next to the code.
    totp_issuer: str = "智慧应急"
    # Page sessions end after this much inactivity or this age, whichever comes first
    # (等保 2.0 asks for a login timeout; 30 minutes idle is the common reading).
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    # None: Secure cookies everywhere except demo mode (which serves plain HTTP on loopback).
    session_cookie_secure: bool | None = None
    # Password policy (GB/T 22239-2019 8.1.4.1 a: complexity, changed periodically).
    password_min_length: int = 10
    password_min_classes: int = 2
    stock_expiry_warn_days: int = 30
    licence_expiry_warn_days: int = 30
    # Outbox relay: in the embedded mode handlers run in-process after commit; a deployment
    # with a separate `yingji worker` sets this to false.
    inline_relay: bool = True
    # Relayed outbox rows (and their handled marks) are kept this long, then pruned by the
    # ``core.prune_outbox`` job; undelivered rows are never pruned.
    outbox_retention_days: int = 30
    storage_dir: str = "var/storage"
    # Uploads: one file may not pass this many bytes (read in chunks, refused at the limit);
    # a whole multipart request may not pass ``upload_request_max_bytes`` (refused with 413
    # while it streams in: a few photos per form, or one 20 MB workbook, plus the fields).
    upload_max_bytes: int = 10 * 2**20
    upload_request_max_bytes: int = 41 * 2**20
    # An upload no record names this long after it was stored is deleted (core/uploads.py):
    # a day covers an abandoned form, or a grid member who uploads and sends the next morning.
    upload_unattached_hours: int = 24
    # Minimum effective area per person by shelter class (m²): GB 51143-2015 defaults, see
    # resources/shelters/rules.py; provinces and GB/T 44013-2024 may set other figures.
    shelter_min_area_m2: dict[str, float] = {"emergency": 0.5, "short_term": 2.0, "long_term": 3.0}
    # LEC / LS value tables and bands (risks/points/rules.py): a JSON or YAML file overriding
    # the national defaults, for provinces or industries with their own cut-offs.
    risk_grading_file: str | None = None
    # Law-enforcement document numbers: {prefix}应急{type}〔{year}〕{serial}号, and the issuing
    # authority printed on every document (inspections/rules.py).
    inspection_doc_prefix: str = "荣"
    inspection_authority: str = "重庆市荣昌区应急管理局"
    # Dispatch ETA without a road network: straight-line km × detour factor at this speed.
    dispatch_detour_factor: float = 1.4
    dispatch_speed_kmh: float = 40.0
    # An OSRM-compatible routing service (…/table/v1/driving); when set, dispatch ETAs come
    # from the road network and fall back to the straight-line estimate per target.
    routing_url: str | None = None
    # Personal information (《个人信息保护法》; GB/T 35273-2020): the roles that see phone
    # numbers in full (duty officers must call people); every other role sees 138****1234.
    # A JSON list in YINGJI_PII_REVEAL_ROLES. Each reveal and each personal-data export by
    # these roles is audited (registry/privacy.py).
    pii_reveal_roles: frozenset[str] = frozenset({"admin", "bureau_staff", "duty_officer"})
    # Accident grading (国务院令第493号 第三条): count 下落不明 persons with the deaths, as the
    # national plans ("死亡（含失踪）") and investigation reports do; incidents/rules.py.
    grading_count_missing: bool = True
    # Hazard rectification: default deadline on confirmation (days) when none is named;
    # 安监总局令第16号 fixes no number, so these are the bureau's own defaults.
    hazard_general_days: int = 7
    hazard_major_days: int = 30
    # Alarm escalation on silence: minutes per level as JSON ({"red":5,"orange":10,
    # "yellow":30,"blue":60} when unset) and the most steps before it stops.
    alarm_escalation_minutes: str | None = None
    alarm_escalation_max_steps: int = 12
    # Public reports (举报): per-client limits and the dedupe radius against open hazards.
    public_report_per_hour: int = 5
    public_report_per_day: int = 20
    public_report_dedupe_radius_m: float = 50.0
    # 叫应: minutes of silence before the voice call, then before the superior is told.
    notify_ack_voice_after_minutes: int = 15
    notify_ack_superior_after_minutes: int = 15
    # CAP profile (cap.md §3): 14-digit sender code (district code padded when unset), the
    # sender's name, the unit-code length (11 in the Tianjin variant), the absolute base URL
    # for <web> and feed links, and whether imports must also meet the Chinese profile.
    warning_sender_code: str | None = None
    warning_sender_name: str = "荣昌区应急管理局"
    warning_unit_code_length: int = 14
    warning_web_base: str = ""
    warning_strict_import: bool = False
    # Rule 18 on import: True demands that an Update/Cancel reference every earlier message of
    # the warning (a profile rule). The default accepts one that references the latest message
    # of the chain, which CAP 1.2 allows and real authorities send; the rest is then advice.
    warning_import_complete_references: bool = False
    # CAP validation (validate and import) runs off the event loop; past this many seconds the
    # request answers 422 instead of waiting (a real message validates in milliseconds, the
    # worst bounded flood in well under a second).
    warning_import_validation_timeout_seconds: float = 5.0
    # Monitoring (monitoring/rules.py MonitoringConfig; None keeps the shipped default):
    # raw-reading retention (30 d), aggregate bucket (3600 s) and retention (730 d), how far
    # ahead of the server a timestamp may be (300 s), silence = interval × factor (2.0),
    # rows per downsampling pass (20000).
    monitoring_raw_retention_days: int | None = None
    monitoring_bucket_seconds: int | None = None
    monitoring_aggregate_retention_days: int | None = None
    monitoring_future_tolerance_seconds: int | None = None
    monitoring_no_data_factor: float | None = None
    monitoring_downsample_chunk: int | None = None

    def check(self) -> None:
        """Refuse to run outside demo mode with the shipped demo secret."""
        if not self.demo and self.secret_key == DEMO_SECRET:
            raise RuntimeError(
                "YINGJI_SECRET_KEY must be set to a random value outside demo mode "
                "(YINGJI_DEMO=true accepts the demo secret)."
            )

    def cookie_secure(self) -> bool:
        """Tell whether the session cookie carries the Secure flag."""
        if self.session_cookie_secure is None:
            return not self.demo
        return self.session_cookie_secure

    def sqlite_path(self) -> Path | None:
        """Return the SQLite file path when the database is a file-backed SQLite URL."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and ":memory:" not in self.database_url:
            return Path(self.database_url[len(prefix) :])
        return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (read once from the environment)."""
    return Settings()
