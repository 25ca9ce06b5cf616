"""The audit verb of the reports app: the only change it makes is recording an export."""

from continuum.apps.audit.registry import register

EXPORTED = register(
    "reports.exported", "A report or national-return list (CIN census, SSDA, Ofsted Annex A) was exported as CSV."
)
