"""The GOV.UK component includes: the Design System's markup, described by hint and error."""

from __future__ import annotations

import re

from django.template import Context, Template

ITEMS = [
    {"html_id": "k-cat", "value": "cat", "label": "Cat", "checked": True, "hint": "Purrs"},
    {"html_id": "k-dog", "value": "dog", "label": "Dog <b>", "checked": False},
]


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_checkboxes_are_described_by_their_hint_and_error():
    html = render(
        '{% include "govuk/components/checkboxes.html" with name="kinds" items=items legend="Which?" '
        'legend_size="m" heading="h2" hint="Select all" error=error only %}',
        items=ITEMS,
        error="Select a kind",
    )
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert 'aria-describedby="kinds-hint kinds-error"' in html
    assert '<h2 class="govuk-fieldset__heading">Which?</h2>' in html
    assert re.search(
        r'id="k-cat" name="kinds" type="checkbox" value="cat" aria-describedby="k-cat-hint" checked>', html
    )
    assert re.search(r'id="k-dog" name="kinds" type="checkbox" value="dog">', html)
    assert "Dog &lt;b&gt;" in html  # escaped
    assert '<p id="kinds-error" class="govuk-error-message">' in html


def test_a_component_sees_only_what_it_is_given():
    html = render(
        '{% include "govuk/components/radios.html" with name="level" items=items legend="Level" only %}',
        items=ITEMS,
        hint="a page's own hint",
        error="a page's own error",
    )
    assert "a page's own" not in html
    assert 'aria-describedby="level-' not in html.split("<fieldset")[1].split(">")[0]
    assert "govuk-form-group--error" not in html


def test_textarea_input_and_button():
    textarea = render(
        '{% include "govuk/components/textarea.html" with name="text" value=v label="Why?" label_size="l" heading="h1" '
        "rows=8 only %}",
        v="words",
    )
    assert (
        '<h1 class="govuk-label-wrapper"><label class="govuk-label govuk-label--l" for="text">Why?</label></h1>'
        in textarea
    )
    assert 'rows="8">words</textarea>' in textarea
    field = render(
        '{% include "govuk/components/input.html" with name="q" type="search" label="Search" value=v error=e '
        "spellcheck=False only %}",
        v=None,
        e="Too long",
    )
    assert 'type="search" value="" aria-describedby="q-error" spellcheck="false"' in field
    assert "govuk-input--error" in field
    button = render(
        '{% include "govuk/components/button.html" with text="Remove" name="remove" value="x" secondary=True '
        'hidden_text=" the cat" only %}'
    )
    assert button == (
        '<button type="submit" name="remove" value="x" class="govuk-button govuk-button--secondary" '
        'data-module="govuk-button">Remove<span class="govuk-visually-hidden"> the cat</span></button>\n'
    )


def test_an_unbound_field_is_empty_never_the_word_none():
    """An unbound form's value is None: a textarea or input shows nothing (a saved "None" would be a record)."""
    for component in ("textarea", "input"):
        html = render(
            f'{{% include "govuk/components/{component}.html" with name="what" value=v label="What" %}}', v=None
        )
        assert "None" not in html, component
    assert '"></textarea>' in render('{% include "govuk/components/textarea.html" with name="w" value=v %}', v=None)
