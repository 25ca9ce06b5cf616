"""The claims the test provider puts in ID tokens and userinfo: standard ones, plus any per user from OP_CLAIMS."""

from __future__ import annotations

import json
import os
from typing import Any, ClassVar

from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    # Continuum's own claims (partnership, role) travel with the "profile" scope here.
    oidc_claim_scope: ClassVar[dict[str, str]] = {
        **OAuth2Validator.oidc_claim_scope,
        "continuum_partnership": "profile",
        "continuum_role": "profile",
    }

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        extra = json.loads(os.environ.get("OP_CLAIMS", "{}")).get(user.username, {})
        return {
            "email": user.email,
            "email_verified": True,
            "name": user.get_full_name(),
            "preferred_username": user.username,
            **extra,
        }
