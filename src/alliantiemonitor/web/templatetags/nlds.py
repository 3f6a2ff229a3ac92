"""Template helpers that put NL Design System (Utrecht) classes on Django form widgets."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms import widgets
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

register = template.Library()

_WIDGET_CLASSES: tuple[tuple[type[widgets.Widget], str], ...] = (
    (forms.CheckboxInput, "utrecht-checkbox utrecht-checkbox--html-input"),
    (forms.RadioSelect, "utrecht-radio-button utrecht-radio-button--html-input"),
    (forms.CheckboxSelectMultiple, "utrecht-checkbox utrecht-checkbox--html-input"),
    (forms.Select, "utrecht-select utrecht-select--html-select"),
    (forms.Textarea, "utrecht-textarea utrecht-textarea--html-textarea"),
    (widgets.Input, "utrecht-textbox utrecht-textbox--html-input"),
)


@register.filter
def nlds_widget(field: BoundField) -> SafeString:
    """Render ``field``'s widget with the matching Utrecht classes and ARIA links."""
    widget = field.field.widget
    css = next((css for kind, css in _WIDGET_CLASSES if isinstance(widget, kind)), "")
    attrs: dict[str, str] = {}
    if css:
        attrs["class"] = " ".join(filter(None, [widget.attrs.get("class", ""), css]))
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_help")
    if field.errors:
        described_by.append(f"{field.auto_id}_errors")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.filter
def invalid_fields(form: Any) -> list[BoundField]:
    """The visible fields of ``form`` that have an error, in the form's order."""
    return [field for field in form.visible_fields() if field.errors]
