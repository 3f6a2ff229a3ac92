"""factory_boy factories for every domain model, with synthetic people only.

Factories write straight to the database and skip the services' rules and audit log; use them
to arrange a situation, and call the services when the behaviour under test is the write.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from typing import Any

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from factory.django import DjangoModelFactory

from alliantiemonitor.accounts.models import User
from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.conversations.models import Agreement, Conversation, Evaluation
from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.measurements.models import Invitation, MeasurementRound, Response
from alliantiemonitor.organisations.models import Membership, Organisation, Team
from alliantiemonitor.trajectories.models import Assignment, Client, OutcomeEvent, Trajectory


def full_answers(instrument: Instrument, rater: str, value: int | None = 3) -> dict[str, Any]:
    """Answer every item of ``rater`` on ``instrument`` with ``value``."""
    return {item.id: value for item in instrument.items_for(rater)}  # type: ignore[arg-type]


def answer_round(
    round_: MeasurementRound,
    rater: str,
    *,
    professional: Any = None,
    value: int | None = 4,
    submit: bool = True,
) -> Response:
    """Fill in ``rater``'s side of ``round_`` through the services (every item ``value``).

    Sends it too unless ``submit`` is false; returns the (draft or sent) response.
    """
    from alliantiemonitor.measurements.services import response_save_answers, response_submit

    respondent = professional if rater == "professional" else None
    draft = response_save_answers(
        round=round_,
        rater=rater,
        answers=full_answers(round_.instrument, rater, value),
        mode="own_device" if rater == "client" else "professional_self",
        respondent=respondent,
    )
    if not submit:
        return draft
    return response_submit(round=round_, rater=rater, respondent=respondent)


def discuss_round(round_: MeasurementRound, professional: Any) -> MeasurementRound:
    """Both sides fill in ``round_``, and its conversation is held and marked discussed."""
    from alliantiemonitor.conversations.services import conversation_start, round_mark_discussed

    answer_round(round_, "client")
    answer_round(round_, "professional", professional=professional)
    round_.refresh_from_db()
    conversation_start(round=round_, by=professional)
    round_mark_discussed(round=round_, by=professional)
    round_.refresh_from_db()
    return round_


#: The password of every factory user.
PASSWORD = "a-synthetic-password-for-tests"


def read_aloud_kwargs(
    round_: MeasurementRound, item_id: str | None = None, language: str = "nl"
) -> dict[str, str]:
    """The parts of the read-aloud audio address of a client statement (the first by default)."""
    from alliantiemonitor.measurements.speech import speech_address_parts

    item_id = item_id or round_.instrument.items_for("client")[0].id
    return speech_address_parts(round_, item_id, language)


@functools.cache
def _password_hash() -> str:
    # Argon2 is slow on purpose; hashing once keeps the suite fast.
    return make_password(PASSWORD)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    first_name = factory.Sequence(lambda n: f"Voornaam{n}")
    last_name = "Voorbeeld"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.LazyFunction(lambda: _password_hash())


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Voorbeeldorganisatie {n}")
    slug = factory.Sequence(lambda n: f"organisatie-{n}")
    domain = "reclassering"
    default_instrument = "standaard"


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "professional"
    active = True

    @factory.post_generation
    def teams(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.teams.add(*extracted)


class ClientFactory(DjangoModelFactory):
    class Meta:
        model = Client

    organisation = factory.SubFactory(OrganisationFactory)
    display_name = factory.Sequence(lambda n: f"K.{n}")
    preferred_language = "nl"
    easy_read = False


class TrajectoryFactory(DjangoModelFactory):
    class Meta:
        model = Trajectory

    client = factory.SubFactory(ClientFactory)
    organisation = factory.SelfAttribute("client.organisation")
    legal_frame = "Voorwaardelijke straf met bijzondere voorwaarden"
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment

    trajectory = factory.SubFactory(TrajectoryFactory)
    professional = factory.SubFactory(UserFactory)
    start = factory.LazyFunction(timezone.now)


class OutcomeEventFactory(DjangoModelFactory):
    class Meta:
        model = OutcomeEvent

    trajectory = factory.SubFactory(TrajectoryFactory)
    kind = "no_show"
    date = factory.LazyFunction(timezone.localdate)


class MeasurementRoundFactory(DjangoModelFactory):
    class Meta:
        model = MeasurementRound

    trajectory = factory.SubFactory(TrajectoryFactory)
    instrument_id = "standaard"
    instrument_version = "1.0.0"
    domain = factory.SelfAttribute("trajectory.organisation.domain")
    opened_by = factory.SubFactory(UserFactory)
    professional = factory.SelfAttribute("opened_by")


class ResponseFactory(DjangoModelFactory):
    class Meta:
        model = Response

    round = factory.SubFactory(MeasurementRoundFactory)
    rater = "client"
    mode = "own_device"
    answers = factory.LazyFunction(dict)


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    round = factory.SubFactory(MeasurementRoundFactory)
    kind = "link"
    token_hash = factory.Sequence(lambda n: hashlib.sha256(f"token-{n}".encode()).hexdigest())
    created_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))


class ConversationFactory(DjangoModelFactory):
    class Meta:
        model = Conversation

    round = factory.SubFactory(MeasurementRoundFactory)
    held_on = factory.LazyFunction(timezone.localdate)
    held_by = factory.SubFactory(UserFactory)


class AgreementFactory(DjangoModelFactory):
    class Meta:
        model = Agreement

    conversation = factory.SubFactory(ConversationFactory)
    text = "We bellen elkaar elke maandag even."
    order = factory.Sequence(lambda n: n)
    created_by = factory.SubFactory(UserFactory)


class EvaluationFactory(DjangoModelFactory):
    class Meta:
        model = Evaluation

    conversation = factory.SubFactory(ConversationFactory)
    party = "client"
    useful = "yes"


class AuditEventFactory(DjangoModelFactory):
    """An event appended to the hash chain, as the services append them."""

    class Meta:
        model = AuditEvent

    actor = factory.SubFactory(UserFactory)
    actor_kind = "user"
    action = "caseload.view"

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> AuditEvent:
        from alliantiemonitor.audit.services import audit_record

        return audit_record(**kwargs)
