"""The front door: the queue of contacts by deadline, claiming, triage, the decision and feedback to the referrer."""
