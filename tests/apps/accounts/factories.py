"""Factories for people and their roles (deterministic: sequences, no randomness)."""

from __future__ import annotations

from typing import Any

import factory

from continuum.apps.accounts.actor import Role
from continuum.apps.accounts.models import Membership, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @factory.post_generation
    def password(user: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
        if extracted:
            user.set_password(extracted)
        else:
            user.set_unusable_password()
        if create:
            user.save(update_fields=["password"])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partnership = "north"
    role = Role.PRACTITIONER
