"""National code lists used by referrals (data the DfE publishes, not a partnership's words).

``REFERRAL_SOURCES``: the Children in Need census referral-source codes (``ReferralSource``,
CIN census guide, "Source of referral" table; 22 codes).
"""

from __future__ import annotations

REFERRAL_SOURCES: tuple[tuple[str, str], ...] = (
    ("1A", "Individual: family member, relative or carer"),
    ("1B", "Individual: acquaintance (including neighbours and child minders)"),
    ("1C", "Individual: self"),
    ("1D", "Individual: other"),
    ("2A", "Schools"),
    ("2B", "Education services"),
    ("3A", "Health services: GP"),
    ("3B", "Health services: health visitor"),
    ("3C", "Health services: school nurse"),
    ("3D", "Health services: other primary health services"),
    ("3E", "Health services: A&E (emergency department)"),
    ("3F", "Health services: other"),
    ("4", "Housing (local authority housing or housing association)"),
    ("5A", "Local authority services: social care (for example adult social care)"),
    ("5B", "Local authority services: other internal department"),
    ("5C", "Local authority services: external (for example from another local authority's services)"),
    ("5D", "Early help"),
    ("6", "Police"),
    ("7", "Other legal agency (including courts, probation, immigration, CAFCASS, prison)"),
    ("8", "Other"),
    ("9", "Anonymous"),
    ("10", "Unknown"),
)
REFERRAL_SOURCE_LABELS: dict[str, str] = dict(REFERRAL_SOURCES)
assert len(REFERRAL_SOURCES) == 22

# CIN census ``Gender`` (child's gender): 0 not known, 1 male, 2 female, 9 not specified.
GENDERS: tuple[tuple[str, str], ...] = (
    ("1", "Male"),
    ("2", "Female"),
    ("9", "Not specified"),
    ("0", "Not known"),
)
GENDER_LABELS: dict[str, str] = dict(GENDERS)


# The longest postcode stored (Family.postcode's column): a UK postcode is at most 8 characters.
POSTCODE_MAX = 10


def postcode_as_stored(value: str) -> str:
    """A postcode as it is stored: single spaces, capitals (which can lengthen it: ``ß`` is ``SS``)."""
    return " ".join(value.split()).upper()


def postcode_valid(value: str) -> bool:
    """Whether ``value``, as stored, fits its column and is made of the letters A-Z, digits 0-9 and spaces."""
    stored = postcode_as_stored(value)
    return len(stored) <= POSTCODE_MAX and all(c.isascii() and (c.isalnum() or c == " ") for c in stored)


POSTCODE_INVALID = "Enter a real postcode, using the letters A to Z and the digits 0 to 9, or leave it empty"


def ascii_digits(value: str) -> str:
    """``value`` with its spaces removed and any decimal digit written as 0-9 (a phone's full-width
    or Arabic-Indic digits are the same number); other characters are left for validation to refuse."""
    return "".join(str(int(c)) if c.isdecimal() else c for c in value.replace(" ", ""))


def nhs_number_valid(value: str) -> bool:
    """Ten digits 0-9 whose last is the NHS modulus-11 check digit of the first nine."""
    digits = value.replace(" ", "")
    if len(digits) != 10 or not (digits.isascii() and digits.isdecimal()):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])
