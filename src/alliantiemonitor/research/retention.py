"""What a client's erasure does to research records: each study's protocol decides.

A study's ``keep_after_erasure_months`` says it (docs/research/studies.md, *Retention*):

- **At the erasure** (on request or by retention; the ``client_erasing`` signal of
  ``trajectories``), a study's records of the client — the enrolled trajectory with its consent
  history, phase responses, follow-up outcomes and interview-sample entries — are **kept** only
  when the study keeps them for at least a month *and* the client's newest answer is a yes that
  was not withdrawn. Kept records lose their link to the trajectory and note the day
  (``erased_on``); nothing leads back to the person. All other records go with the client: a
  refusal, a withdrawal or no answer is never kept, whatever the study says.
- **Every day** (the retention job; the ``retention_running`` signal), kept records whose months
  have passed since the erasure are deleted, on the day itself and not before. The same run
  treats a record that lost its trajectory without passing through the erasure above (one
  erased before studies had this setting) as erased that day. A study whose months were
  lowered deletes what the new number no longer covers.

Deletions of the daily run are audited per study and organisation (``study.records_delete``);
those at an erasure are listed, with the records kept, in the ``client.erase`` event.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.research.models import EnrolledTrajectory, ResearchConsent
from alliantiemonitor.trajectories.models import Client
from alliantiemonitor.trajectories.retention import RetentionSection, months_after
from alliantiemonitor.trajectories.signals import client_erasing, retention_running

#: ``detail["reason"]`` of ``study.records_delete``.
REASON_KEEP_PERIOD_OVER = "keep_period_over"
REASON_ERASED_BEFORE = "erased_before"


def _kept_at_erasure(row: EnrolledTrajectory) -> bool:
    """Whether the study keeps ``row`` (annotated ``with_consent_state``) past the erasure."""
    given, withdrawn_at = (
        getattr(row, "consent_given", None),
        getattr(row, "consent_withdrawn_at", None),
    )
    consenting = given is True and withdrawn_at is None
    return consenting and row.study.keep_after_erasure_months > 0


def _split(
    rows: Iterable[EnrolledTrajectory],
) -> tuple[list[EnrolledTrajectory], list[EnrolledTrajectory]]:
    """``rows`` as (kept, deleted) at an erasure."""
    kept, deleted = [], []
    for row in rows:
        (kept if _kept_at_erasure(row) else deleted).append(row)
    return kept, deleted


def _delete(ids: list[int]) -> dict[str, int]:
    """Delete the enrolled trajectories ``ids`` with all that hangs on them; rows per model."""
    if not ids:
        return {}
    counts: Counter[str] = Counter()
    # The consent history protects its enrolled trajectory (never deleted on its own).
    for _total, per_model in (
        ResearchConsent.objects.filter(enrolled_id__in=ids).delete(),
        EnrolledTrajectory.objects.filter(pk__in=ids).delete(),
    ):
        counts.update({label: n for label, n in per_model.items() if n})
    return dict(sorted(counts.items()))


def research_records_erase(*, client: Client, today: dt.date) -> dict[str, dict[str, int]]:
    """Keep or delete, per study, the research records of ``client``, who is being erased.

    Call inside the erasure's transaction, before the trajectories are deleted. Returns the
    rows deleted and kept per model label, for the ``client.erase`` event.
    """
    rows = (
        EnrolledTrajectory.objects.filter(trajectory__client=client)
        .select_related("study")
        .with_consent_state()
    )
    kept, deleted = _split(rows)
    if kept:
        EnrolledTrajectory.objects.filter(pk__in=[row.pk for row in kept]).update(
            trajectory=None, erased_on=today
        )
    answer: dict[str, dict[str, int]] = {"deleted": _delete([row.pk for row in deleted])}
    if kept:
        answer["kept"] = {EnrolledTrajectory._meta.label: len(kept)}
    return answer


@receiver(client_erasing, sender=Client, dispatch_uid="research.client_erasing")
def _client_erasing(sender: Any, client: Client, now: dt.datetime, **kwargs: Any) -> Any:
    return research_records_erase(client=client, today=timezone.localdate(now))


def expired_records(today: dt.date) -> list[EnrolledTrajectory]:
    """Kept records whose study's months after the erasure have passed by ``today``.

    The day is the erasure plus the study's months in calendar months (``months_after``, as
    for clients): deleted on that day, not before.
    """
    rows = (
        EnrolledTrajectory.objects.filter(trajectory__isnull=True, erased_on__isnull=False)
        .select_related("study", "enrolment__organisation")
        .filter(erased_on__lte=today)
        .order_by("study__name", "study_id", "pk")
    )
    return [
        row
        for row in rows
        if row.erased_on is not None
        and months_after(row.erased_on, row.study.keep_after_erasure_months) <= today
    ]


def _unmarked_orphans() -> list[EnrolledTrajectory]:
    """Records without a trajectory that no erasure handled (erased before this setting)."""
    return list(
        EnrolledTrajectory.objects.filter(trajectory__isnull=True, erased_on__isnull=True)
        .select_related("study", "enrolment__organisation")
        .with_consent_state()
        .order_by("study__name", "study_id", "pk")
    )


def _delete_audited(rows: list[EnrolledTrajectory], reason: str) -> None:
    """Delete ``rows``, with one ``study.records_delete`` per study and organisation.

    Call inside a transaction. The event carries counts, never a study key or a name.
    """
    # Locked and read again: a second run at the same moment (another machine) finds them gone
    # and records nothing.
    present = set(
        EnrolledTrajectory.objects.select_for_update()
        .filter(pk__in=[row.pk for row in rows])
        .values_list("pk", flat=True)
    )
    groups: dict[tuple[int, int], list[EnrolledTrajectory]] = {}
    for row in rows:
        if row.pk not in present:
            continue
        groups.setdefault((row.study_id, row.enrolment.organisation_id), []).append(row)
    for group in groups.values():
        first = group[0]
        deleted = _delete([row.pk for row in group])
        audit_record(
            actor=None,
            action=Action.STUDY_RECORDS_DELETE,
            obj=first.study,
            organisation=first.enrolment.organisation,
            detail={
                "study": first.study.uuid,
                "reason": reason,
                "keep_after_erasure_months": first.study.keep_after_erasure_months,
                "deleted": deleted,
            },
        )


def _per_study(rows: Iterable[EnrolledTrajectory]) -> dict[str, int]:
    return dict(Counter(row.study.name for row in rows))


def research_retention_run(
    *, clients: list[Client], today: dt.date, dry_run: bool
) -> RetentionSection:
    """The research part of the daily retention run (see the module docstring).

    Reports what the erasure of ``clients`` (those due) will do to their research records, and
    deletes (unless ``dry_run``) the kept records past their study's months.
    """
    section = RetentionSection()
    at_erasure = (
        EnrolledTrajectory.objects.filter(trajectory__client__in=clients)
        .select_related("study")
        .with_consent_state()
        .order_by("study__name", "study_id", "pk")
    )
    keep, drop = _split(at_erasure)
    expired = expired_records(today)
    orphans = _unmarked_orphans()
    orphans_kept, orphans_dropped = _split(orphans)
    section.counts = {
        "research_kept_at_erasure": len(keep),
        "research_deleted_at_erasure": len(drop),
        "research_expired": len(expired),
        "research_erased_before_deleted": len(orphans_dropped),
    }
    verb = "to delete" if dry_run else "deleted"
    section.lines.append(
        f"research records of the clients due (at their erasure): {len(keep)} kept, "
        f"{len(drop)} deleted"
    )
    section.lines += [
        f"  study {name!r}: {n} kept under the study key" for name, n in _per_study(keep).items()
    ]
    section.lines += [
        f"  study {name!r}: {n} deleted with the client" for name, n in _per_study(drop).items()
    ]
    section.lines.append(f"research records past their study's keep period: {len(expired)} {verb}")
    section.lines += [f"  study {name!r}: {n} {verb}" for name, n in _per_study(expired).items()]
    if orphans:
        section.lines.append(
            f"research records of clients erased earlier: {len(orphans_kept)} kept from today, "
            f"{len(orphans_dropped)} {verb}"
        )
    if dry_run:
        return section
    with transaction.atomic():
        if orphans_kept:
            EnrolledTrajectory.objects.filter(
                pk__in=[row.pk for row in orphans_kept], erased_on__isnull=True
            ).update(erased_on=today)
        _delete_audited(orphans_dropped, REASON_ERASED_BEFORE)
        _delete_audited(expired, REASON_KEEP_PERIOD_OVER)
    return section


@receiver(retention_running, sender=Client, dispatch_uid="research.retention_running")
def _retention_running(
    sender: Any, clients: list[Client], today: dt.date, dry_run: bool, **kwargs: Any
) -> RetentionSection:
    return research_retention_run(clients=clients, today=today, dry_run=dry_run)
