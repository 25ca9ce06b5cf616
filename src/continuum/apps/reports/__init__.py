"""The partnership's reports: dashboards, the threshold calibration report, and the national returns' exports.

Read-only over the other apps' records; the one thing it writes is the audit of an export.
"""
