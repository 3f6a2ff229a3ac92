"""Argon2id at OWASP's minimum, and old hashes upgraded at login (docs/security.md)."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters
from argon2.low_level import Type
from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, make_password
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

#: OWASP Password Storage Cheat Sheet, Argon2id: at least 19 MiB, 2 passes, 1 lane.
OWASP_MEMORY_KIB = 19 * 1024
OWASP_TIME_COST = 2


def _parameters(encoded: str):
    return extract_parameters(encoded.removeprefix("argon2"))


def test_new_hashes_are_argon2id_at_least_at_owasps_minimum(professional):
    professional.set_password("another-long-password")
    parameters = _parameters(professional.password)
    assert parameters.type is Type.ID
    assert parameters.memory_cost >= OWASP_MEMORY_KIB
    assert parameters.time_cost >= OWASP_TIME_COST
    # More lanes than a 2-core server has only make logins wait for each other.
    assert parameters.parallelism == 1


def test_the_default_hasher_is_the_fitted_one():
    hasher = get_hasher("default")
    assert type(hasher).__name__ == "FittedArgon2PasswordHasher"
    assert (hasher.memory_cost, hasher.time_cost, hasher.parallelism) == (19456, 2, 1)


def test_a_hash_with_djangos_old_parameters_is_upgraded_at_login(client, professional):
    old_hash = make_password(PASSWORD, hasher=Argon2PasswordHasher())
    assert _parameters(old_hash).memory_cost == 102400
    assert _parameters(old_hash).parallelism == 8
    professional.password = old_hash
    professional.save(update_fields=["password"])

    client.post(reverse("login"), {"username": professional.username, "password": PASSWORD})

    professional.refresh_from_db()
    parameters = _parameters(professional.password)
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (19456, 2, 1)
    assert professional.check_password(PASSWORD)
    assert not professional.must_change_password


def test_a_wrong_password_does_not_rehash(client, professional):
    old_hash = make_password(PASSWORD, hasher=Argon2PasswordHasher())
    professional.password = old_hash
    professional.save(update_fields=["password"])
    client.post(
        reverse("login"), {"username": professional.username, "password": "not-the-password"}
    )
    professional.refresh_from_db()
    assert professional.password == old_hash
