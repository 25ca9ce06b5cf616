"""The one ``tiny`` fixture is the framework the service offers under the test settings."""

from __future__ import annotations

from continuum.apps.partnerships.catalogue import catalogue


def test_the_tiny_fixture_is_the_offered_tiny_framework(tiny):
    offered = catalogue().get("tiny")
    assert offered is not None
    assert (offered.framework.id, offered.framework.version, offered.content_hash) == (
        "tiny",
        tiny.framework.version,
        tiny.content_hash,
    )
