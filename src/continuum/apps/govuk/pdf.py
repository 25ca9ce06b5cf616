"""PDFs of pages: WeasyPrint over the page's own template and stylesheet, never the network.

A PDF may load only the service's own static files (:func:`read_static`); the stylesheet is
parsed once per process (parsing it is most of the cost) and again only when the file changes.
"""

from __future__ import annotations

import mimetypes
import os
import threading
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def _static_file(path: str) -> str | None:
    """The file behind a /static/ URL path, from the collected files or the finders."""
    name = path.removeprefix(settings.STATIC_URL)
    if staticfiles_storage.exists(name):
        return staticfiles_storage.path(name)
    return finders.find(name)


def read_static(url: str) -> tuple[bytes, str]:
    """The bytes and type of one of our own static files; never the network."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.scheme in {"http", "https"} and path.startswith(settings.STATIC_URL):
        found = _static_file(path)
        if found:
            with open(found, "rb") as handle:
                return handle.read(), mimetypes.guess_type(found)[0] or "application/octet-stream"
    raise ValueError(f"a PDF may only load the service's own static files, not {url}")


def _fetcher() -> Any:
    """A WeasyPrint URL fetcher over :func:`read_static` (a class from WeasyPrint 66, a function before)."""
    try:
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except ImportError:  # older WeasyPrint: a function returning a dict

        def fetch(url: str) -> dict[str, Any]:
            data, mime = read_static(url)
            return {"string": data, "mime_type": mime}

        return fetch

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            data, mime = read_static(url)
            return URLFetcherResponse(url, body=data, headers={"Content-Type": mime})

    return StaticOnly()


STYLESHEET = "dist/app.css"
_stylesheets: dict[tuple[str, float], Any] = {}
_stylesheet_lock = threading.Lock()


def _stylesheet() -> Any:
    """The service's stylesheet, parsed by WeasyPrint once per process (parsing it is most of the cost)."""
    from weasyprint import CSS

    path = _static_file(settings.STATIC_URL + STYLESHEET)
    if path is None:
        raise FileNotFoundError(f"{STYLESHEET} is not built: run `make static`")
    key = (path, os.path.getmtime(path))
    with _stylesheet_lock:
        if key not in _stylesheets:
            _stylesheets.clear()
            url = f"http://localhost{settings.STATIC_URL}{STYLESHEET}"
            _stylesheets[key] = CSS(url=url, url_fetcher=_fetcher())
        return _stylesheets[key]


def warm() -> None:
    """Parse the stylesheet for PDFs now (at start-up) rather than on the first download."""
    _stylesheet()


def render_pdf(template: str, context: dict[str, Any], request: HttpRequest) -> bytes:
    """``template`` rendered with ``context`` as PDF (the service's stylesheet, print media)."""
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    base = f"http://{request.get_host()}/"
    document = HTML(string=html, base_url=base, url_fetcher=_fetcher())
    result: bytes = document.write_pdf(stylesheets=[_stylesheet()])
    return result


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """A PDF as a download named ``filename``."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
