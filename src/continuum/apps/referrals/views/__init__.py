"""Referral pages, by audience: the referrer's journey and pages (``referrer``), the front door's (``front_door``)."""
