"""The web service: a Django project serving the practitioner's journey (GOV.UK Design System)."""
