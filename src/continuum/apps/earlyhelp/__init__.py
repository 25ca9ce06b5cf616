"""Early help: the assessment with the family's consent, the team around the family, reviews, closure, step-up/down."""
