"""The password hasher: Argon2id with parameters fitted to a small server (docs/security.md)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class FittedArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's recommended minimum: 19 MiB of memory, 2 passes, 1 lane.

    Django's defaults (100 MiB, 8 lanes) cost about 190 ms of CPU per login on a 2-core
    server, and eight lanes on two cores buy no extra strength, only contention between logins.
    These parameters are the first row of OWASP's Password Storage Cheat Sheet for Argon2id;
    ``benchmarks/bench_password.py`` measures both. The algorithm name stays ``argon2``, so
    existing hashes keep working and are rehashed with these parameters at the next login
    (Django's ``must_update`` compares the parameters).
    """

    #: KiB (19 MiB).
    memory_cost = 19 * 1024
    time_cost = 2
    parallelism = 1
