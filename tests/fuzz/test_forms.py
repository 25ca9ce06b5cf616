"""Every Django form of the service fuzzed (hypothesis): it validates or gives field errors, never raises.

The forms are found, not listed: every ``Form`` class defined in Continuum's modules (each app's
``forms.py``, the check journey's and the sign-in's). Each gets generated input for every field
(long text, control and bidirectional-override characters, invisible-only text, odd dates, huge
and malformed numbers, real choices) and must answer ``is_valid()`` with cleaned data or with
errors on its own fields, each error a message. Bounded: derandomised, a fixed number of examples
per form, no example database.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import QueryDict
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import continuum.apps
from continuum.apps.earlyhelp.models import FamilyMember
from tests.fuzz.inputs import values_for

EXAMPLES = 40
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

# What each form's constructor needs beyond its data, by argument name (a new argument fails loudly below).
PAIRS = [("a", "A"), ("b", "B"), ("edu", "Education")]
NUMBERED = [(1, "One"), (2, "Two"), (3, "Three")]
ARGUMENTS: dict[str, Any] = {
    "choices": PAIRS,
    "ids": ["edu-l2-1", "harm-l3-1"],
    "domains": PAIRS,
    "levels": NUMBERED,
    "recommended": 2,
    "needs": PAIRS,
    "strengths": PAIRS,
    "members": NUMBERED,
    "owners": NUMBERED,
    "undated": [  # a step-up's children without a date of birth (unsaved: the form reads pk and name)
        FamilyMember(pk=1, kind="child", first_name="Ada", last_name="Smith"),
        FamilyMember(pk=2, kind="child", first_name="Baby", last_name="Smith"),
    ],
}


def _import_forms() -> None:
    for module in pkgutil.walk_packages(continuum.apps.__path__, "continuum.apps."):
        if module.name.endswith(".forms") or module.name.endswith(".views") or ".views." in module.name:
            importlib.import_module(module.name)


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _all_subclasses(sub)
    return found


def continuum_forms() -> list[type[forms.BaseForm]]:
    _import_forms()
    found = [
        cls
        for cls in _all_subclasses(forms.BaseForm)
        if cls.__module__.startswith("continuum.")
        and not inspect.isabstract(cls)
        and not cls.__name__.startswith("_")
        and not issubclass(cls, forms.BaseModelForm)  # the back office's, Django's admin validates them
    ]
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


FORMS = continuum_forms()


def build(form_class: type[forms.BaseForm], data: Any = None) -> forms.BaseForm:
    needed = {}
    for name, parameter in inspect.signature(form_class.__init__).parameters.items():
        if parameter.kind is parameter.KEYWORD_ONLY and parameter.default is parameter.empty:
            assert name in ARGUMENTS, f"{form_class.__qualname__} needs {name!r}: add a value to ARGUMENTS"
            needed[name] = ARGUMENTS[name]
    if issubclass(form_class, AuthenticationForm):  # the sign-in form: a real request (lockout counts by address)
        needed["request"] = RequestFactory().post("/accounts/sign-in", REMOTE_ADDR="192.0.2.1")
    return form_class(data=data, **needed)


def keys_of(form: forms.BaseForm) -> dict[str, list[str]]:
    """Every key the form reads (sub-widgets too), with the choices it offers."""
    keys: dict[str, list[str]] = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        choices = [str(value) for value, _ in getattr(field, "choices", []) or []]
        if isinstance(field.widget, forms.MultiWidget):
            for suffix in field.widget.widgets_names:
                keys[key + suffix] = []
        keys[key] = choices
    return keys


def test_every_app_has_its_forms_found():
    modules = {cls.__module__ for cls in FORMS}
    for app in ("checks", "earlyhelp", "escalations", "frontdoor", "referrals", "accounts"):
        assert any(m.startswith(f"continuum.apps.{app}.") for m in modules), f"no forms found in {app}"
    assert len(FORMS) >= 30


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: f"{c.__module__.split('.')[2]}.{c.__name__}")
def test_a_form_validates_or_gives_field_errors(form_class: type[forms.BaseForm]):
    keys = keys_of(build(form_class))

    @BOUNDED
    @given(st.fixed_dictionaries({}, optional={key: values_for(choices) for key, choices in keys.items()}))
    def submit(values: dict[str, list[str]]) -> None:
        data = QueryDict(mutable=True)
        for key, listed in values.items():
            data.setlist(key, listed)
        form = build(form_class, data)
        if form.is_valid():
            assert isinstance(form.cleaned_data, dict)
            for name, member in inspect.getmembers(type(form)):
                if isinstance(member, property) and not name.startswith("_") and name not in {"media", "errors"}:
                    getattr(form, name)  # the form's own derived values work on what it accepted
        else:
            assert set(form.errors) <= set(form.fields) | {"__all__"}, form.errors
            for field, messages in form.errors.items():
                assert messages and all(str(m).strip() for m in messages), (field, messages)

    submit()
