"""The back office (/admin/): people and their roles.

Superusers see everyone. A partnership admin (staff, acting as partnership admin) sees and
manages the members of their own partnership only: ``get_queryset`` scopes the lists and
``has_*_permission`` the pages. Every save and delete goes through
:mod:`continuum.apps.accounts.services`, so each writes its audit event in the admin's
transaction. People are deactivated, never deleted (their audit trail points at them).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from continuum.apps.accounts import services
from continuum.apps.accounts.actor import Actor
from continuum.apps.accounts.models import Membership, MembershipQuerySet, User
from continuum.apps.accounts.partnerships import partnership_choices
from continuum.apps.accounts.permissions import can


def _actor(request: HttpRequest) -> Actor:
    return getattr(request, "actor", None) or Actor.anonymous()


def _is_superuser(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


def _manages_members(request: HttpRequest) -> bool:
    """Staff acting as a partnership admin (or a superuser)."""
    return _is_superuser(request) or (request.user.is_staff and can(_actor(request), "accounts.manage_members"))


class MembershipForm(forms.ModelForm):
    partnership = forms.ChoiceField(choices=())

    class Meta:
        model = Membership
        fields = ("user", "partnership", "role")

    def __init__(self, *args: Any, allowed: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["partnership"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = allowed if allowed is not None else partnership_choices()


class ScopedAdmin(admin.ModelAdmin):
    """Module and page permissions from the actor's role, not Django's per-model permissions."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _manages_members(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages_members(request) and (obj is None or self.get_queryset(request).filter(pk=obj.pk).exists())

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _manages_members(request)


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    form = MembershipForm
    list_display = ("user", "partnership", "role", "created_at")
    list_filter = ("role", "partnership")
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        queryset = super().get_queryset(request).select_related("user")
        if _is_superuser(request):
            return queryset
        if not _manages_members(request):
            return queryset.none()
        return cast(MembershipQuerySet, queryset).visible_to(_actor(request))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if _is_superuser(request):
            return form
        partnership = _actor(request).partnership
        allowed = [(pid, name) for pid, name in partnership_choices() if pid == partnership]

        class Scoped(form):  # type: ignore[valid-type, misc]
            def __init__(self, *args: Any, **inner: Any):
                super().__init__(*args, allowed=allowed, **inner)

        return Scoped

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        actor = _actor(request)
        if change:
            original = Membership.objects.get(pk=obj.pk)
            services.change_membership(actor, original, partnership=obj.partnership, role=obj.role)
            obj.refresh_from_db()
        else:
            saved = services.add_membership(actor, obj.user, obj.partnership, obj.role)
            obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.remove_membership(_actor(request), obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset:
            services.remove_membership(_actor(request), membership)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("partnership", "role", "created_at")
    readonly_fields = ("partnership", "role", "created_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(ScopedAdmin, BaseUserAdmin):
    """People: a partnership admin sees the members of their partnership; roles are given under Memberships."""

    inlines = (MembershipInline,)
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "memberships__role", "memberships__partnership")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset = super().get_queryset(request)
        if _is_superuser(request):
            return queryset
        if not _manages_members(request):
            return queryset.none()
        return queryset.filter(memberships__partnership=_actor(request).partnership).distinct()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_superuser(request)  # partnership admins invite (`continuum users invite`) and give roles

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: the audit trail points at people

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if _is_superuser(request):
            return ("last_login", "date_joined")
        return ("username", "is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined")

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        if not _is_superuser(request):
            raise PermissionDenied("people set their own passwords (password reset); admins do not")
        return super().user_change_password(request, id, form_url)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        services.save_user(_actor(request), obj, created=not change, changed=form.changed_data)
