"""deploy/outlets.toml, the real-outlets config, stays a valid and sensible guetteur config."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pipeline.config.schema import Settings, load_settings

CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "outlets.toml"

# Hosts of African outlets' own feeds; at least one of them must be polled.
AFRICAN_HOSTS = frozenset({"aps.sn", "lematin.ma", "www.elwatan-dz.com", "www.jeuneafrique.com"})


@pytest.fixture(scope="module")
def settings() -> Settings:
    # The webhook sink is only an example in comments: the file must validate without its secret set.
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("GUETTEUR_WEBHOOK_SECRET", raising=False)
        return load_settings(CONFIG)


def hosts(settings: Settings) -> set[str]:
    return {urlsplit(feed.url).hostname or "" for feed in settings.feeds}


def test_validates_with_enough_feeds(settings: Settings) -> None:
    assert len(settings.feeds) >= 25
    assert settings.languages == ("fr",)


def test_names_and_urls_are_unique(settings: Settings) -> None:
    names = [feed.name for feed in settings.feeds]
    urls = [feed.url for feed in settings.feeds]
    assert len(set(names)) == len(names)
    assert len(set(urls)) == len(urls)


def test_every_feed_is_https_with_an_outlet_and_a_sane_interval(settings: Settings) -> None:
    for feed in settings.feeds:
        assert urlsplit(feed.url).scheme == "https", feed.name
        assert feed.outlet, feed.name
        assert timedelta(minutes=1) <= feed.interval <= timedelta(hours=1), feed.name


def test_covers_france_belgium_switzerland_canada_and_africa(settings: Settings) -> None:
    feed_hosts = hosts(settings)
    for tld in (".fr", ".be", ".ch", ".ca"):
        assert any(host.endswith(tld) for host in feed_hosts), f"no feed host under {tld}"
    assert feed_hosts & AFRICAN_HOSTS, "no African outlet"


def test_polls_only_the_public_internet(settings: Settings) -> None:
    assert settings.http.allow_private_networks is False
    assert "guetteur" in settings.http.user_agent


def test_ready_to_run_defaults(settings: Settings) -> None:
    assert settings.store.path == "guetteur.db"
    assert settings.metrics.port == 9108
    assert settings.runner.name == "local"
    assert [sink.type for sink in settings.sinks] == ["jsonl"]
