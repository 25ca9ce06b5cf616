"""The practitioner's check: choose a partnership, describe the worry, get the level of need and what to do."""
