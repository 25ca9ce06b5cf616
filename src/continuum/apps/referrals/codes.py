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


def nhs_number_valid(value: str) -> bool:
    """Ten digits whose last is the NHS modulus-11 check digit of the first nine."""
    digits = value.replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])
