"""The versioned HTTP API (``/api/v1/``): django-ninja over the apps' services and queries."""
