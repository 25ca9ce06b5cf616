"""Back office: the partnerships' procedures, read-only (changes go through ``services``; escalations hold
cases' details and are read only through the logged pages)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from continuum.apps.escalations.models import PartnershipProcedure


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PartnershipProcedure)
class PartnershipProcedureAdmin(ReadOnly):
    list_display = ("partnership", "name", "set_at")
