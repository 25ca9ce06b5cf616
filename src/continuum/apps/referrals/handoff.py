"""The hand-off: a decided referral as the council's case system wants it (docs/handoff.md).

Field names are the Children in Need census's (DfE, CIN census guide: ``LAchildID``,
``CINreferralDate``, ``ReferralSource``, ``ReferralNFA`` ...) and the Standard Safeguarding
Dataset's ``ssd_contacts`` (Data to Insight: ``cont_contact_id`` ... ``cont_contact_outcome_json``);
what neither names is prefixed ``continuum_``. One row per referral (per child).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from typing import Any

from continuum.apps.referrals.codes import GENDER_LABELS, REFERRAL_SOURCE_LABELS
from continuum.apps.referrals.models import Referral
from continuum.calendar import as_uk

# Outcomes after which children's social care takes no further action on the referral
# (the CIN census's ReferralNFA = 1): the canonical codes of frameworks.casework.
NO_FURTHER_ACTION = frozenset({"nfa", "advice-signpost", "early-help"})
# CIN census GenderCurrent (our codes) → Sex (M, F, U: not known or not recorded).
_SEX = {"1": "M", "2": "F"}


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def _outcome_json(r: Referral) -> str:
    return json.dumps(
        {
            "outcome": r.outcome_code,
            "decided_at": _date(r.outcome_recorded_at),
            "changed_at": _date(r.outcome_changed_at),  # "" unless the decision changed after it was recorded
            "shared_with_referrer": r.outcome_shared_at is not None,
        },
        sort_keys=True,
    )


# (field name, where it comes from: for docs/handoff.md, the value)
FIELDS: tuple[tuple[str, str, Callable[[Referral], Any]], ...] = (
    (
        "LAchildID",
        "CIN census: the referral's reference (the council assigns its own on import)",
        lambda r: r.public_id,
    ),
    ("PersonBirthDate", "CIN census: the child's date of birth", lambda r: _date(r.date_of_birth)),
    ("ExpectedPersonBirthDate", "CIN census: the due date of an unborn child", lambda r: _date(r.unborn_due_date)),
    ("GenderCurrent", "CIN census: 0 not known, 1 male, 2 female, 9 not specified", lambda r: r.gender),
    ("Sex", "CIN census (2024 onwards): M, F or U", lambda r: _SEX.get(r.gender, "U")),
    ("Ethnicity", "CIN census: as the referrer gave it (the council codes it)", lambda r: r.ethnicity),
    (
        "CINreferralDate",
        "CIN census: the day the referral was received (UK local date)",
        lambda r: _date(as_uk(r.received_at).date()),
    ),
    ("ReferralSource", "CIN census: the referral-source code (1A ... 10)", lambda r: r.referral_source),
    (
        "ReferralNFA",
        "CIN census: 1 when the outcome is no further action by social care",
        lambda r: int(r.outcome_code in NO_FURTHER_ACTION),
    ),
    ("cont_contact_id", "SSD ssd_contacts: the referral's reference", lambda r: r.public_id),
    (
        "cont_person_id",
        "SSD ssd_contacts: the child (the referral's reference; no person id is kept)",
        lambda r: r.public_id,
    ),
    (
        "cont_contact_date",
        "SSD ssd_contacts: when the referral was received (ISO 8601)",
        lambda r: _date(r.received_at),
    ),
    ("cont_contact_source_code", "SSD ssd_contacts: the CIN referral-source code", lambda r: r.referral_source),
    (
        "cont_contact_source_desc",
        "SSD ssd_contacts: the referral source in words",
        lambda r: REFERRAL_SOURCE_LABELS.get(r.referral_source, ""),
    ),
    (
        "cont_contact_outcome_json",
        "SSD ssd_contacts: the outcome in force, when decided, when changed (if it was), whether the referrer was told",
        _outcome_json,
    ),
    ("continuum_partnership", "the partnership (framework id)", lambda r: r.partnership),
    ("continuum_framework_version", "the framework version the referrer's check used", lambda r: r.framework_version),
    ("continuum_framework_hash", "the framework's content hash", lambda r: r.framework_hash),
    ("continuum_channel", "online or phone", lambda r: r.channel),
    ("continuum_child_first_name", "the child's first name", lambda r: r.child_first_name),
    ("continuum_child_last_name", "the child's last name", lambda r: r.child_last_name),
    ("continuum_nhs_number", "the child's NHS number (10 digits, checked)", lambda r: r.nhs_number),
    ("continuum_gender_label", "GenderCurrent in words", lambda r: GENDER_LABELS.get(r.gender, "")),
    ("continuum_school_or_setting", "school or setting", lambda r: r.school_or_setting),
    ("continuum_family_id", "the children referred together share it (siblings)", lambda r: r.family_id),
    ("continuum_address", "the family's address", lambda r: r.family.address),
    ("continuum_postcode", "the family's postcode", lambda r: r.family.postcode),
    ("continuum_referrer_name", "the referrer", lambda r: r.referrer_name),
    ("continuum_referrer_agency", "the referrer's agency", lambda r: r.referrer_agency),
    (
        "continuum_referrer_level",
        "the level the referrer settled on",
        lambda r: r.referrer_level if r.referrer_level is not None else "",
    ),
    ("continuum_indicator_ids", "the referrer's check: indicator ids (JSON)", lambda r: json.dumps(r.indicator_ids)),
    ("continuum_consent_basis", "obtained, not-sought or refused-overridden", lambda r: r.consent_basis),
    (
        "continuum_consent_detail",
        "who, when, what was shared; or the reason (JSON)",
        lambda r: json.dumps(r.consent_detail, sort_keys=True),
    ),
    ("continuum_what_done_so_far", "what had been done before the referral", lambda r: r.what_done_so_far),
    ("continuum_decision_due", "the decision deadline computed at receipt (ISO 8601)", lambda r: _date(r.decision_due)),
    ("continuum_outcome_code", "the canonical outcome code", lambda r: r.outcome_code),
)
FIELD_NAMES: tuple[str, ...] = tuple(name for name, _, _ in FIELDS)


def row(referral: Referral) -> dict[str, Any]:
    return {name: value(referral) for name, _, value in FIELDS}


def as_csv(referrals: Iterable[Referral]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELD_NAMES, lineterminator="\n")
    writer.writeheader()
    for referral in referrals:
        writer.writerow(row(referral))
    return out.getvalue()


def as_json(referrals: Iterable[Referral]) -> str:
    return json.dumps({"fields": list(FIELD_NAMES), "referrals": [row(r) for r in referrals]}, indent=2)
