"""The audit verbs of the API app: tokens made and revoked (each request is audited by the service it calls)."""

from continuum.apps.audit.registry import register

TOKEN_CREATED = register(
    "api.token_created", "An API token was made for a person's role in a partnership (the token itself is not kept)."
)
TOKEN_REVOKED = register("api.token_revoked", "An API token was revoked; requests with it are refused from now on.")
