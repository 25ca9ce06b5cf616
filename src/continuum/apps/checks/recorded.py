"""The recorded part of a check's page, rendered once and kept in Django's cache (issue 19).

What the check recommended and why (the immediate-danger banner, the level, what to do now, the
reasons with the document's words, contacts, consent, timescales, the next step) and how it
replays under the current framework depend only on what was stored with the check, the framework
the service offers now and the code that renders them: not on who is looking, nor on anything
recorded after (except the level in force, which chooses the next step). Rendering them is most of
the page's template work, and the replay is engine work, so they are rendered once and cached.

The parts are rendered **without the request**: no context processor runs, so nothing of the
viewer (their account, permissions, session or CSRF token) can be in them. The key is a digest of
everything they are made from (:func:`key`): the check's link id and its stored result, citations,
framework version and hash, recommended level and level in force (a change of mind included); the current framework's content hash
(or its absence); the URL configuration and script prefix (the next step's links); the language;
and a digest of the code and templates that render them (``code_version``: a deployment that
changes them does not serve an older rendering). A changed input is a different key, never a stale
page. The check's link id is only an input to the digest, so cache keys carry no link to a child's
record; the parts themselves do (the next step's links), as the page does.

Who may see the page, and the access log's row for every showing, stay with the view, before this
(:func:`continuum.apps.checks.views.check._render_check`). The cache is ``check_pages`` in
``settings.CACHES`` (each process's memory, at most 1,000 checks, unless ``CHECK_PAGE_CACHE_URL``
says otherwise), never the default cache, whose culling would then drop rate limits' counters.
``CHECK_PAGE_CACHE_SECONDS`` (600 by default) bounds how long a rendering stays; 0 renders every time.
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import cache as once
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from continuum.apps.checks import presenters, services
from continuum.apps.checks.models import Check
from continuum.apps.partnerships.catalogue import catalogue

# The parts, in the page's order, each one template rendered with the same context.
PARTS = {
    "danger": "checks/_danger.html",
    "recommendation": "checks/_result_recommendation.html",
    "replay": "checks/_replay.html",
}
PREFIX = "checks.recorded"
CACHE = "check_pages"  # settings.CACHES: its own, so that pages never push out the rate limits' counters

log = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parents[2]  # src/continuum
# The code and templates that make the parts (and the base templates beside them), by directory.
_RENDERERS = ("apps/checks", "apps/partnerships", "apps/govuk", "engine", "web/templates")


@once
def code_version() -> str:
    """A digest of Django's version and of every source and template that renders the parts (once per process)."""
    digest = hashlib.sha256(django.get_version().encode())
    for directory in _RENDERERS:
        for path in sorted((_PACKAGE / directory).rglob("*")):
            if path.suffix in {".py", ".html"} and path.is_file():
                digest.update(str(path.relative_to(_PACKAGE)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def key(check: Check) -> str:
    """The cache key of ``check``'s parts: a digest of everything they are rendered from (see the module)."""
    loaded = catalogue().get(check.framework_id)
    made_from = [
        check.public_id,
        check.framework_id,
        check.framework_version,
        check.framework_hash,
        check.engine_version,
        check.recommended_level,
        check.level_in_force,
        check.result,
        check.citations,
        loaded.content_hash if loaded is not None else None,
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        get_language(),
        code_version(),
    ]
    text = json.dumps(made_from, sort_keys=True, separators=(",", ":"), default=str)
    return f"{PREFIX}:{hashlib.sha256(text.encode()).hexdigest()}"


def render(check: Check) -> dict[str, str]:
    """The parts of ``check``'s page, rendered without the request (nothing of the viewer in them)."""
    context: dict[str, Any] = {
        "check": check,
        "result": presenters.present_result(check.result, check.citations),
        "replay": services.replay_check(check),
        "next_steps": presenters.next_steps(check, catalogue().get(check.framework_id)),
    }
    return {name: render_to_string(template, context) for name, template in PARTS.items()}


def parts(check: Check) -> dict[str, SafeString]:
    """``check``'s recorded parts, from the cache when rendered before from the same inputs, else rendered now.

    A cache that cannot be reached is logged and the parts are rendered: the page never fails for it."""
    seconds = settings.CHECK_PAGE_CACHE_SECONDS
    found: Any = None
    cache_key = key(check) if seconds > 0 else ""
    if cache_key:
        try:
            found = caches[CACHE].get(cache_key)
        except Exception:  # any backend's failure to answer: render instead
            log.warning("the check page cache could not be read", exc_info=True)
    if not isinstance(found, dict) or set(found) != set(PARTS):
        found = render(check)
        if cache_key:
            try:
                caches[CACHE].set(cache_key, found, seconds)
            except Exception:
                log.warning("the check page cache could not be written", exc_info=True)
    return {name: mark_safe(html) for name, html in found.items()}  # rendered by our templates, escaped there
