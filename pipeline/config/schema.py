"""The TOML config of CONTRACT.md, validated into typed, immutable settings before anything starts."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from pipeline.config import defaults as settings

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# langdetect's profiles: a language outside them could never be kept.
_LANGDETECT_CODES = frozenset(
    "af ar bg bn ca cs cy da de el en es et fa fi fr gu he hi hr hu id it ja kn ko lt lv mk ml mr ne nl no pa pl "
    "pt ro ru sk sl so sq sv sw ta te th tl tr uk ur vi zh-cn zh-tw".split()
)


class ConfigError(Exception):
    """A config that cannot be used; `problems` holds one readable line per error, each naming its key."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def parse_duration(value: Any) -> timedelta:
    """'90s', '5m', '2h', '7d', '1w' (or a number of seconds) as a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return timedelta(seconds=value)
    if isinstance(value, str) and (match := _DURATION.match(value)):
        return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
    raise ValueError(f"not a duration: {value!r} (write e.g. '30s', '5m', '2h', '7d')")


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be positive")
    return value


Duration = Annotated[timedelta, BeforeValidator(parse_duration), AfterValidator(_positive)]


def _not_negative(value: timedelta) -> timedelta:
    if value < timedelta(0):
        raise ValueError("must not be negative")
    return value


Delay = Annotated[timedelta, BeforeValidator(parse_duration), AfterValidator(_not_negative)]


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"only http and https URLs are allowed, got {value!r}")
    if not parts.hostname:
        raise ValueError(f"no host in {value!r}")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]


class _Model(BaseModel):
    # Unknown keys are errors: a misspelt key silently ignored is a config that lies.
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreSettings(_Model):
    path: str | None = None
    url: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> StoreSettings:
        if self.path is not None and self.url is not None:
            raise ValueError("give either path or url, not both")
        if self.url is not None and not self.url.startswith(("postgresql://", "postgres://")):
            # Only the scheme is echoed: the rest of a database URL may hold a password.
            scheme = urlsplit(self.url).scheme or "bare"
            raise ValueError(f"url: only postgresql:// stores are supported, got a {scheme!r} URL")
        return self

    @property
    def location(self) -> str:
        return self.url or self.path or settings.STORE_PATH


class HttpSettings(_Model):
    allow_private_networks: bool = False
    user_agent: str = settings.USER_AGENT
    connect_timeout: Duration = timedelta(seconds=settings.CONNECT_TIMEOUT)
    read_timeout: Duration = timedelta(seconds=settings.READ_TIMEOUT)
    deadline: Duration = timedelta(seconds=settings.FETCH_DEADLINE)
    max_bytes: int = Field(default=settings.MAX_BYTES, gt=0)
    max_redirects: int = Field(default=settings.MAX_REDIRECTS, ge=0, le=20)
    full_fetch_every: Duration = timedelta(seconds=settings.FULL_FETCH_EVERY)
    max_in_flight: int = Field(default=settings.MAX_IN_FLIGHT, ge=1)
    max_per_host: int = Field(default=settings.MAX_PER_HOST, ge=1)

    @field_validator("user_agent")
    @classmethod
    def _explicit(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty: outlets block anonymous crawlers")
        return value


class MetricsSettings(_Model):
    port: int = Field(default=settings.METRICS_PORT, ge=0, le=65535)


class RunnerSettings(_Model):
    name: Literal["local", "flink"] = "local"
    options: tuple[str, ...] = ()


class NoveltySettings(_Model):
    tolerance: float = Field(default=settings.TOLERANCE, ge=0.0, le=1.0)
    min_confidence: float = Field(default=settings.MIN_CONFIDENCE, ge=0.0, le=1.0)


class FeedSettings(_Model):
    name: str = Field(min_length=1)
    url: HttpUrl
    outlet: str | None = None
    interval: Duration = timedelta(seconds=settings.FEED_INTERVAL)
    max_age: Duration | None = None


class JsonlSink(_Model):
    type: Literal["jsonl"]
    path: str = Field(min_length=1)

    @property
    def key(self) -> str:
        """The sink's name in the outbox: stable across restarts as long as the config names the same file."""
        return f"jsonl:{self.path}"


class ConsoleSink(_Model):
    type: Literal["console"]

    @property
    def key(self) -> str:
        return "console"


def _whsec(value: str) -> str:
    raw = value.removeprefix("whsec_")
    try:
        decoded = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not a Standard Webhooks secret: expected 'whsec_' followed by base64") from None
    if len(decoded) < 16:
        raise ValueError("secret too short: at least 16 bytes once decoded")
    return value


Secret = Annotated[str, AfterValidator(_whsec)]


class WebhookSink(_Model):
    type: Literal["webhook"]
    url: HttpUrl
    secret: Secret
    # While a secret is rotated, every request carries two signatures: receivers switch without losing one.
    previous_secret: Secret | None = None
    timeout: Duration = timedelta(seconds=settings.WEBHOOK_TIMEOUT)
    # The delay before each retry (the first attempt is immediate); what fails them all is a dead letter.
    retry_schedule: tuple[Delay, ...] = tuple(timedelta(seconds=s) for s in settings.WEBHOOK_RETRY_SCHEDULE)
    # "alert": the alert JSON of CONTRACT.md; "text": {"text": "<French rendering>"}, for chat webhooks.
    format: Literal["alert", "text"] = "alert"

    @field_validator("timeout")
    @classmethod
    def _bounded_timeout(cls, value: timedelta) -> timedelta:
        if value > timedelta(minutes=5):
            raise ValueError("at most 5m: a receiver should answer at once and do its work afterwards")
        return value

    @field_validator("retry_schedule")
    @classmethod
    def _bounded_schedule(cls, value: tuple[timedelta, ...]) -> tuple[timedelta, ...]:
        if len(value) > 30:
            raise ValueError(f"at most 30 retries, got {len(value)}")
        if any(delay > timedelta(days=7) for delay in value):
            raise ValueError("a retry is at most 7d after the previous attempt")
        return value

    @field_validator("previous_secret")
    @classmethod
    def _another_secret(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and value == info.data.get("secret"):
            raise ValueError("the same as secret: remove it once the rotation is over")
        return value

    @property
    def key(self) -> str:
        """The sink's name in the outbox: its host and a digest of its URL.

        Chat webhooks carry their token in the path, and the key is printed in logs and by `guetteur alerts`.
        """
        digest = hashlib.sha256(self.url.encode("utf-8")).hexdigest()[:8]
        return f"webhook:{urlsplit(self.url).hostname}#{digest}"


Sink = Annotated[JsonlSink | WebhookSink | ConsoleSink, Field(discriminator="type")]


class Settings(_Model):
    languages: tuple[str, ...] = ("fr",)
    store: StoreSettings = StoreSettings()
    http: HttpSettings = HttpSettings()
    metrics: MetricsSettings = MetricsSettings()
    runner: RunnerSettings = RunnerSettings()
    novelty: NoveltySettings = NoveltySettings()
    feeds: tuple[FeedSettings, ...] = ()
    sinks: tuple[Sink, ...] = ()
    # Topic tables are validated by the topics module, which owns their schema.
    topics: tuple[dict[str, Any], ...] = ()

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("at least one language is needed")
        unknown = [code for code in value if code not in _LANGDETECT_CODES]
        if unknown:
            raise ValueError(f"unknown language code(s) {', '.join(unknown)}: use ISO 639-1 codes such as 'fr'")
        return value

    @field_validator("feeds")
    @classmethod
    def _unique_names(cls, value: tuple[FeedSettings, ...]) -> tuple[FeedSettings, ...]:
        seen: set[str] = set()
        for index, feed in enumerate(value):
            if feed.name in seen:
                raise ValueError(f"feeds[{index}].name: duplicate feed name {feed.name!r}")
            seen.add(feed.name)
        return value


def _expand_env(value: Any, where: str, problems: list[str]) -> Any:
    """Replace ${VAR} in every string; an unset variable is a problem naming its key."""
    if isinstance(value, str):

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                problems.append(f"{where}: environment variable {name} is not set")
                return ""
            return os.environ[name]

        return _ENV.sub(substitute, value)
    if isinstance(value, dict):
        return {k: _expand_env(v, f"{where}.{k}" if where else k, problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, f"{where}[{i}]", problems) for i, v in enumerate(value)]
    return value


def _key(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("jsonl", "webhook", "console"):  # the discriminator's branch name is not a key
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _message(error: ErrorDetails) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key"
    if error["type"] == "missing":
        return "required key is missing"
    if error["type"] == "union_tag_invalid":
        return f"unknown type {error['input'].get('type')!r} (expected jsonl, webhook or console)"
    return str(error["msg"]).removeprefix("Value error, ")


def settings_from_dict(raw: dict[str, Any]) -> Settings:
    problems: list[str] = []
    expanded = _expand_env(raw, "", problems)
    try:
        result = Settings.model_validate(expanded)
    except ValidationError as exc:
        for error in exc.errors():
            msg = _message(error)
            # Our own validators sometimes name a nested key themselves ("feeds[2].name: ...").
            problems.append(msg if re.match(r"^\w+\[\d+\]\.", msg) else f"{_key(error['loc'])}: {msg}")
    if problems:
        raise ConfigError(problems)
    return result


def load_settings(path: str | Path) -> Settings:
    """Read and validate a config file; raise ConfigError with one line per problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    return settings_from_dict(raw)
