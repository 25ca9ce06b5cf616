"""Clean free text before it is stored: one rule for every form and service (issue 19 item 5).

Control characters and bidirectional overrides are removed, because they hide or reverse text
in the page, the PDF and the audit record (a reason that reads one way and is stored another).
Newline and tab stay; a carriage return goes (browsers send CRLF, we store LF). Zero-width and
other invisible characters may stay inside words (some scripts need them), but text made only of
them is not content: :func:`has_visible_text` says so, and a required reason of that kind is refused.

Forms use :class:`continuum.apps.govuk.fields.CleanTextField`; services that take text from
elsewhere (the API) call :func:`clean_text` and :func:`has_visible_text` themselves.
"""

from __future__ import annotations

import unicodedata

_C0 = {c for c in range(0x00, 0x20) if c not in (0x09, 0x0A)}
_C1 = set(range(0x7F, 0xA0))  # DEL and the C1 controls
_BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))  # LRE..RLO, LRI..PDI
_REMOVE = dict.fromkeys(_C0 | _C1 | _BIDI)

# Letters and symbols that draw nothing although Unicode does not class them as format or space.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u034f")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})


def clean_text(text: str) -> str:
    """``text`` without control characters (except newline and tab) and bidirectional overrides."""
    return text.translate(_REMOVE)


def has_visible_text(text: str) -> bool:
    """Whether ``text`` shows anything: not only spaces, zero-width or other invisible characters."""
    return any(
        ch not in _BLANK and not ch.isspace() and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES for ch in text
    )


def whole_number(value: str | None, digits: int = 9) -> int | None:
    """``value`` as a whole number when it is one written in 0-9 with at most ``digits`` digits, else None.

    For numbers in query strings and buttons, where anything else is ignored: ``str.isdigit`` accepts
    superscripts that ``int`` refuses, and ``int`` refuses more than 4,300 digits; a number too large
    for a database's integer would fail the query. None of these reaches ``int`` or the database here.
    """
    text = (value or "").strip()
    return int(text) if text and len(text) <= digits and text.isascii() and text.isdecimal() else None
