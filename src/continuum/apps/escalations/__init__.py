"""Escalation of professional disagreement: stages, named roles and timescales, the partnership's register."""
