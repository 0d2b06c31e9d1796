"""Turn a page's bytes into the article a reader sees: trafilatura after pruning page furniture, or a named drop."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import trafilatura
from lxml.etree import LxmlError, ParserError, _Element
from trafilatura.settings import Document, use_config
from trafilatura.utils import load_html

from pipeline.config import defaults as settings

STAGE = "extract"
MAX_TREE_ELEMENTS = settings.EXTRACT_MAX_ELEMENTS
MAX_FURNITURE_SHARE = settings.FURNITURE_MAX_SHARE

# Class or id tokens of page furniture, as CMSs name it. Matched on whole tokens split at - and _,
# so "share" prunes "share-buttons" but "article-body" never matches "body".
_FURNITURE = re.compile(
    r"(?:^|[-_ ])(?:sponsor(?:ed|s)?|outbrain|taboola|ligatus|mostread|most-read|mostpopular|popular|trending|"
    r"newsletter|cookies?|consent|gdpr|breadcrumbs?|fil-ariane|ariane|lang-?(?:switch|switcher|picker|selector)|"
    r"language-?(?:switcher|picker|selector)|paywall|promo|advert|advertisement|pub|ad-slot|share|sharing|social|"
    r"lire-aussi|a-lire|also-read|read-?more|more-stories|recommended|recirculation|you-may-like)"
    r"(?:$|[-_ ])",
    re.IGNORECASE,
)
# Comments and "related" blocks are left to trafilatura's own detection (include_comments=False): the words
# also name live-blog entries and in-text links that belong to the article.
_PRUNE_TAGS = ("nav", "aside", "footer", "form", "figcaption", "noscript", "button", "dialog", "template")
_IN_ARTICLE = (
    "ancestor::*[self::article or self::main or @itemprop='articleBody' or contains(@class, 'article-body') or "
    "contains(@class, 'article__body') or contains(@class, 'article-content') or contains(@class, 'entry-content') "
    "or contains(@class, 'post-content') or contains(@class, 'story-body')]"
)
_IN_FURNITURE = "ancestor-or-self::*[self::nav or self::aside or self::footer or self::header[not(ancestor::article)]]"
_KEEP_TAGS = frozenset({"html", "body", "main", "article"})
# Lines that are furniture headings however they are marked up.
_FURNITURE_LINES = re.compile(
    r"^(?:[àa] lire (?:aussi|également)|lire (?:aussi|également|la suite)|sur le même (?:sujet|thème)|"
    r"les plus lus|les plus populaires|[àa] la une|contenus? sponsoris[ée]s?|you may also like|"
    r"leave a (?:comment|reply)|partager(?: (?:cet|l')article)?|s'abonner|abonnez-vous.*|"
    r"publicit[ée]|newsletter|related articles?|read (?:more|next))\s*:?\s*$",
    re.IGNORECASE,
)
_READING_TIME = re.compile(r"^(?:temps de lecture|lecture)?\s*:?\s*\d+\s*min(?:utes?)?\.?(?:\s+de lecture)?$", re.I)
_DATELINE_START = re.compile(r"^(?:publi[ée]e?|mis à jour|modifi[ée]e?|actualis[ée]e?|updated|published)\b", re.I)
_DATELINE_WORDS = re.compile(
    r"publi[ée]e?|mis à jour|modifi[ée]e?|actualis[ée]e?|updated|published|\ble\b|\bà\b|\bat\b|\bon\b|"
    r"\d+(?:er)?|h|janv\w*|f[ée]v\w*|mars|avr\w*|mai|juin|juil\w*|ao[uû]t|sept\w*|oct\w*|nov\w*|d[ée]c\w*|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|[\s:/.,\-–|]+",
    re.I,
)
# A lead paragraph ("chapô", standfirst) often carries the news itself; some templates put it outside the
# body container where trafilatura does not look.
_LEAD = (
    "//*[self::p or self::div or self::h2][@itemprop='description' or contains(@class, 'lead') or "
    "contains(@class, 'chapo') or contains(@class, 'chapeau') or contains(@class, 'standfirst') or "
    "contains(@class, 'intro') or contains(@class, 'article-summary') or contains(@class, 'excerpt')]"
)
_READ_ALSO = re.compile(r"^(?:[àa] )?lire (?:aussi|également)\s*[:>-]", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0\u202f]+")


@dataclass(frozen=True, slots=True)
class Extracted:
    """The article text of one page, with what the page says of itself."""

    title: str
    text: str
    author: str
    published: datetime | None
    outlet: str


@dataclass(frozen=True, slots=True)
class ExtractionFailure:
    """Why a page gave no article: a named reason, never a bare None."""

    reason: str  # "not_html", "tree_too_large", "no_content", "too_short", "timeout", "worker_crashed", ...
    detail: str = ""


def _config():  # type: ignore[no-untyped-def]
    config = use_config()
    # Extraction only: trafilatura never downloads here, and must never retry TLS without verification.
    config.set("DEFAULT", "INSECURE_SSL_FALLBACK", "off")
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return config


_CONFIG = _config()


def _is_furniture(element: _Element) -> bool:
    if element.tag in _KEEP_TAGS:
        return False
    if element.tag == "aside" and element.xpath(_IN_ARTICLE):
        # An aside inside the article is a fact box ("Repères", "L'essentiel") more often than a sidebar;
        # the inline "À lire aussi" boxes are caught by their class or their text.
        return _marked(element)
    if element.tag in _PRUNE_TAGS or element.get("role") in ("navigation", "complementary", "contentinfo"):
        return True
    return _marked(element)


def _marked(element: _Element) -> bool:
    marks = f"{element.get('class', '')} {element.get('id', '')}"
    return bool(marks.strip()) and bool(_FURNITURE.search(marks))


def _text_length(element: _Element) -> int:
    """Visible text only: scripts and styles can outweigh a whole article."""
    return sum(len(t.strip()) for t in element.itertext(with_tail=True) if t.strip()) - sum(
        len((s.text or "").strip()) for s in element.iter("script", "style"))


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def furniture_lines(tree: _Element) -> frozenset[str]:
    """The text lines of the page's furniture: menus, sidebars, captions, sponsored and "read also" blocks.

    trafilatura runs on the whole page and these lines are then removed from its output, rather than pruning
    the tree first: pruning changes trafilatura's own heuristics (it measured worse on its evaluation pages),
    while removing a line only when it is exactly a furniture line cannot take a body paragraph away.
    A block that holds the article is never furniture, whatever its class says ("share-zone" wrapping a whole
    page): it must not contain the headline or the article element, nor a large share of the page's text.
    """
    budget = max(_text_length(tree) * MAX_FURNITURE_SHARE, 400)
    lines: set[str] = set()
    for element in tree.iter():
        if not isinstance(element.tag, str) or not _is_furniture(element):
            continue
        if element.xpath(".//article|.//main|.//h1|.//*[@itemprop='articleBody']") or _text_length(element) > budget:
            continue
        for block in element.iter():
            if isinstance(block.tag, str) and block.tag not in ("script", "style"):
                text = _norm(block.text_content())
                if text:
                    lines.add(text)
    return frozenset(lines)


def _is_dateline(line: str) -> bool:
    """'Publié le : 28/10/2025 - 16:15 Modifié le : ...', the dates a template prints above the text."""
    return len(line) < 120 and bool(_DATELINE_START.match(line)) and not _DATELINE_WORDS.sub("", line).strip()


def lead_paragraph(tree: _Element) -> str:
    """The page's lead paragraph, when its template marks one."""
    for element in tree.xpath(_LEAD):
        if element.xpath(_IN_FURNITURE):
            continue
        text = _norm(element.text_content())
        if len(text) >= 60:
            return text
    return ""


def clean_text(text: str, furniture: frozenset[str] = frozenset()) -> str:
    """Drop furniture lines ("À lire aussi : ...", sidebar headlines, captions) and repeated lines."""
    kept: list[str] = []
    seen: set[str] = set()
    for raw in text.splitlines():
        line = _norm(raw)
        if not line or line in furniture or _FURNITURE_LINES.match(line) or _READ_ALSO.match(line):
            continue
        if _READING_TIME.match(line) or _is_dateline(line):
            continue
        if line in seen and len(line) < 300:  # captions and teasers repeated on the page, not body paragraphs
            continue
        seen.add(line)
        kept.append(line)
    return "\n".join(kept)


def _meta_published(tree: _Element) -> datetime | None:
    """The page's own publication time, with the hour when it gives one (trafilatura keeps the day only)."""
    candidates = tree.xpath(
        "//meta[@property='article:published_time' or @name='article:published_time' or "
        "@itemprop='datePublished' or @name='pubdate' or @name='date']/@content|//time[@datetime]/@datetime"
    )
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and isinstance(item.get("datePublished"), str):
                candidates.insert(0, item["datePublished"])
    for value in candidates:
        try:
            when = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        if when.tzinfo is not None:
            return when
    return None


def parse_html(body: bytes) -> _Element | ExtractionFailure:
    if not body.strip():
        return ExtractionFailure("empty_page")
    head = body[:1024].lstrip()[:64].lower()
    if head.startswith((b"%pdf", b"\x89png", b"gif8", b"\xff\xd8", b"pk\x03\x04")):
        return ExtractionFailure("not_html", "binary content")
    try:
        # trafilatura's loader, not lxml's: it detects the charset (headers are gone by now) as browsers do.
        tree = load_html(body[: settings.EXTRACT_MAX_HTML])
    except (ParserError, LxmlError, ValueError) as exc:
        return ExtractionFailure("not_html", str(exc)[:200])
    if tree is None:
        return ExtractionFailure("not_html", "no HTML tree could be built")
    size = sum(1 for _ in tree.iter())
    if size > MAX_TREE_ELEMENTS:
        return ExtractionFailure("tree_too_large", f"{size} elements")
    return tree


def extract_article(body: bytes, url: str = "") -> Extracted | ExtractionFailure:
    """Main text, title, author, date and outlet of a page; runs in-process, unbounded in time.

    Callers that must not stall use pipeline.ingest.extraction_worker.BoundedExtractor, which runs this in a child.
    """
    tree = parse_html(body)
    if isinstance(tree, ExtractionFailure):
        return tree
    published = _meta_published(tree)
    # Metadata first, from the whole page: the title and site name live in <head>, which pruning leaves alone.
    meta = trafilatura.extract_metadata(tree, default_url=url or None)
    furniture = furniture_lines(tree)  # before trafilatura, which cleans the tree in place
    lead = lead_paragraph(tree)
    document = trafilatura.bare_extraction(
        tree, url=url or None, include_comments=False, include_images=False, with_metadata=False, config=_CONFIG,
    )
    if not isinstance(document, Document) or not (document.text or "").strip():  # a dict only with as_dict=True
        return ExtractionFailure("no_content", "no main text found")
    text = clean_text(document.text or "", furniture)
    if lead and lead not in furniture and lead[:80] not in _norm(text):
        text = f"{lead}\n{text}"
    if len(text) < settings.MIN_TEXT_CHARS:
        return ExtractionFailure("too_short", f"{len(text)} characters")
    if published is None and meta.date:
        try:
            day = datetime.fromisoformat(meta.date)
            published = day if day.tzinfo else day.replace(tzinfo=UTC)
        except ValueError:
            published = None
    return Extracted(
        title=(meta.title or "").strip(),
        text=text,
        author=(meta.author or "").strip(),
        published=published,
        outlet=(meta.sitename or "").strip(),
    )
