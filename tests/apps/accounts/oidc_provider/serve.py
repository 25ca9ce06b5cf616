"""Run the test OpenID provider: ``python -m tests.apps.accounts.oidc_provider.serve CONFIG.json``.

The configuration names the port, the people (username, password, email), one client
(id, secret, redirect URI) and a file where each person's subject (``sub``) is written. The environment gives the database file, the RSA key and the
issuer (see ``settings.py``). The database is migrated and filled, then waitress serves
until the process is ended.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main(config_path: str) -> None:
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.apps.accounts.oidc_provider.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application
    from waitress import serve

    call_command("migrate", interactive=False, verbosity=0)
    subjects = {}
    for person in config["users"]:
        user = User.objects.create_user(person["username"], email=person.get("email", ""), password=person["password"])
        subjects[person["username"]] = str(user.pk)  # the `sub` claim (django-oauth-toolkit's default)
    Path(config["subjects_file"]).write_text(json.dumps(subjects), encoding="utf-8")
    client = config["client"]
    Application.objects.create(
        name="Continuum",
        client_id=client["id"],
        client_secret=client["secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=client["redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,
    )
    serve(get_wsgi_application(), host="127.0.0.1", port=int(config["port"]), threads=4, _quiet=True)


if __name__ == "__main__":
    main(sys.argv[1])
