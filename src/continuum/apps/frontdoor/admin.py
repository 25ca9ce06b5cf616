"""Back office for the front door: contacts read-only (their changes go through the pages and services);
the partnership's settings (amber share, agencies added) changed through :mod:`services`, with their audit."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.frontdoor import services
from continuum.apps.frontdoor.models import AgencyKind, FrontDoorSettings, Triage


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def _configures(request: HttpRequest) -> bool:
    actor = _actor(request)
    return bool(request.user.is_superuser or (actor.role == Role.PARTNERSHIP_ADMIN and actor.partnership))


@admin.register(Triage)
class TriageAdmin(admin.ModelAdmin):
    list_display = ("public_id", "partnership", "state", "due_at", "claimed_by", "outcome_code")
    list_filter = ("state",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Triage]:
        return Triage.objects.visible_to(_actor(request)).select_related("referral", "claimed_by")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return services.can_view_queue(_actor(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return services.can_view_queue(_actor(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _SettingsAdmin(admin.ModelAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        found = super().get_queryset(request)
        return found if request.user.is_superuser else found.filter(partnership=_actor(request).partnership)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _configures(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _configures(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _configures(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FrontDoorSettings)
class FrontDoorSettingsAdmin(_SettingsAdmin):
    list_display = ("partnership", "amber_share")
    fields = ("partnership", "amber_share")
    readonly_fields = ("partnership",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: FrontDoorSettings, form: Any, change: bool) -> None:
        services.configure(_actor(request), obj.partnership, amber_share=obj.amber_share)


@admin.register(AgencyKind)
class AgencyKindAdmin(_SettingsAdmin):
    list_display = ("name", "code", "partnership")
    readonly_fields = ("partnership",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _configures(request)

    def save_model(self, request: HttpRequest, obj: AgencyKind, form: Any, change: bool) -> None:
        services.add_agency(_actor(request), obj.code, obj.name)
