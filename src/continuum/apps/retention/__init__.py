"""Retention: how long each kind of record is kept, and the daily job that anonymises what is past it.

The periods are configuration (``settings.CONTINUUM_RETENTION``), their defaults and sources are
in docs/retention.md. Casework records (a check, a referral and its front-door decision, an
early-help episode, an escalation) are anonymised, never deleted: the decision (levels, codes,
dates, who decided) stays for the partnership's statistics, the child's and family's identity
and the free text go. Old access-log events are trimmed below a chain checkpoint (ADR 0020);
expired sessions are deleted. Each change has its own audit event.
"""
