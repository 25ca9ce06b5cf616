"""Referrals: a practitioner's referral to the partnership's front door, from a stored check (issue 15, item 2)."""
