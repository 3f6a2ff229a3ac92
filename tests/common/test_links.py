"""The quick address of a page about one object is the address ``reverse`` gives."""

from __future__ import annotations

import uuid

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import UUIDConverter
from django.urls.resolvers import RoutePattern
from django.utils import translation

from alliantiemonitor.common.links import reverse_uuid


def _one_uuid_names() -> list[str]:
    """Every named address (with its namespaces) whose only parameter is a UUID."""
    found: list[str] = []

    def walk(patterns: list[object], namespace: str, converters: dict[str, object]) -> None:
        for pattern in patterns:
            inner = getattr(pattern, "pattern", None)
            own = dict(inner.converters) if isinstance(inner, RoutePattern) else {}
            if isinstance(pattern, URLResolver):
                prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix, {**converters, **own})
            elif isinstance(pattern, URLPattern) and pattern.name:
                every = {**converters, **own}
                if len(every) == 1 and isinstance(next(iter(every.values())), UUIDConverter):
                    found.append(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "", {})
    return sorted(set(found))


NAMES = _one_uuid_names()


def test_the_project_has_such_addresses():
    assert len(NAMES) > 50
    assert "monitoring:course" in NAMES
    assert "trajectories:detail" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_every_one_uuid_address_is_the_one_reverse_gives(name):
    for value in (uuid.uuid4(), uuid.UUID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")):
        assert reverse_uuid(name, value) == reverse(name, args=[value])


def test_the_script_prefix_and_the_language_are_followed():
    value = uuid.uuid4()
    with override_settings(FORCE_SCRIPT_NAME="/monitor/"):
        from django.urls import set_script_prefix

        set_script_prefix("/monitor/")
        try:
            assert reverse_uuid("monitoring:course", value) == f"/monitor/verloop/{value}/"
        finally:
            set_script_prefix("/")
    assert reverse_uuid("monitoring:course", value) == f"/verloop/{value}/"
    with translation.override("en"):
        assert reverse_uuid("monitoring:course", value) == reverse(
            "monitoring:course", args=[value]
        )


def test_anything_but_a_uuid_goes_through_reverse_and_its_errors():
    value = uuid.uuid4()
    assert reverse_uuid("monitoring:course", str(value)) == reverse(
        "monitoring:course", args=[value]
    )
    with pytest.raises(NoReverseMatch):
        reverse_uuid("monitoring:course", "not-a-uuid")
    with pytest.raises(NoReverseMatch):
        reverse_uuid("no-such-page", value)
