"""The endpoints of ``/api/v1/`` (docs/api.md).

Every object is fetched through the apps' access helpers, which ask the permission layer with
the token's :class:`~alliantiemonitor.permissions.policy.Integration`; every write goes
through the apps' services. Inside a request every audit event is recorded as the token's.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from alliantiemonitor.api import serializers as s
from alliantiemonitor.api.constants import Scope
from alliantiemonitor.api.models import ApiToken
from alliantiemonitor.audit.constants import Action
from alliantiemonitor.audit.context import acting_through_api_token
from alliantiemonitor.audit.services import audit_record
from alliantiemonitor.common.input import InvalidInput
from alliantiemonitor.conversations.results import round_results
from alliantiemonitor.measurements.access import get_round_for, rounds_for
from alliantiemonitor.measurements.constants import InvitationKind
from alliantiemonitor.measurements.services import invitation_create, round_start, trajectory_close
from alliantiemonitor.monitoring.models import Signal
from alliantiemonitor.organisations.models import Team
from alliantiemonitor.permissions import policy
from alliantiemonitor.permissions.rules import Perm
from alliantiemonitor.trajectories.access import get_trajectory_for, trajectories_for
from alliantiemonitor.trajectories.models import Assignment, Client, Trajectory
from alliantiemonitor.trajectories.services import (
    client_create,
    outcome_record,
    trajectory_hand_over,
    trajectory_start,
)

ERRORS = dict.fromkeys((400, 401, 403, 404, 409, 429), s.ErrorSerializer)


def _with_professional(queryset: Any) -> Any:
    """Trajectories with their client, team and open assignment: a fixed number of queries."""
    return queryset.select_related("client", "team").prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(end__isnull=True).select_related("professional"),
            to_attr="open_assignments",
        )
    )


def _fresh(trajectory: Trajectory) -> Trajectory:
    """``trajectory`` read again after a write, as the serializer shows it."""
    return _with_professional(Trajectory.objects.filter(pk=trajectory.pk)).get()


class ApiView(GenericAPIView):
    """The base of every endpoint: scopes checked, audit events named after the token."""

    #: The scope each method needs (``"*"``: any method).
    required_scopes: dict[str, str] = {}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self._audit_scope = contextlib.ExitStack()
        super().initial(request, *args, **kwargs)
        if isinstance(request.auth, ApiToken):
            self._audit_scope.enter_context(acting_through_api_token(request.auth.uuid))

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # Closed however the view ends: an unexpected error skips ``finalize_response``, and a
        # token left in the context would name the integration as the actor of every later
        # request that this thread serves.
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            self._audit_scope_close()

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        self._audit_scope_close()
        return super().finalize_response(request, response, *args, **kwargs)

    def _audit_scope_close(self) -> None:
        scope = getattr(self, "_audit_scope", None)
        if scope is not None:
            scope.close()

    @property
    def integration(self) -> policy.Integration:
        return self.request.user  # type: ignore[return-value]

    def trajectory(
        self, uuid: Any, *, perm: str = Perm.TRAJECTORY_VIEW, action: str | None = None
    ) -> Trajectory:
        return get_trajectory_for(self.integration, uuid, perm=perm, action=action)


class TrajectoryList(ApiView):
    required_scopes = {"GET": Scope.TRAJECTORIES_READ, "POST": Scope.TRAJECTORIES_WRITE}
    serializer_class = s.TrajectorySerializer

    def get_queryset(self) -> Any:
        return _with_professional(trajectories_for(self.integration)).order_by("-start_date", "-pk")

    @extend_schema(
        summary="List the trajectories the token reaches",
        responses={200: s.TrajectorySerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        audit_record(
            actor=self.integration.by,
            action=Action.API_TRAJECTORY_LIST_VIEW,
            organisation=None,
            detail={"count": len(page), "page": request.query_params.get("page", "1")[:10]},
        )
        return self.get_paginated_response(s.TrajectorySerializer(page, many=True).data)

    @extend_schema(
        summary="Create a client with a trajectory, or a trajectory of a known client",
        request=s.TrajectoryCreateSerializer,
        responses={201: s.TrajectorySerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = _valid(s.TrajectoryCreateSerializer, request)
        integration = self.integration
        organisation_id = integration.organisation_id
        professional = _professional(integration, data.get("professional"))
        team = None
        if data.get("team"):
            team = Team.objects.filter(uuid=data["team"], organisation_id=organisation_id).first()
            if team is None:
                raise InvalidInput(_("No such team in this organisation."), field="team")
        policy.require(integration, Perm.CLIENT_CREATE)
        if data.get("client"):
            reachable = Client.objects.filter(organisation_id=organisation_id)
            if integration.acting_for is not None:
                reachable = reachable.filter(trajectories__in=trajectories_for(integration))
            client = reachable.filter(uuid=data["client"]).distinct().first()
            if client is None:
                raise InvalidInput(_("No such client."), field="client")
            trajectory = trajectory_start(
                client=client,
                professional=professional,
                legal_frame=data["legal_frame"],
                start_date=data["start_date"],
                team=team,
                by=integration.by,
            )
        else:
            organisation = policy.organisations(integration, Perm.CLIENT_CREATE).get(
                pk=organisation_id
            )
            # What client_enrol does, all or nothing, with the integration as the one acting.
            with transaction.atomic():
                client = client_create(
                    organisation=organisation,
                    display_name=data["display_name"],
                    by=integration.by,
                    preferred_language=data["preferred_language"],
                    easy_read=data["easy_read"],
                )
                trajectory = trajectory_start(
                    client=client,
                    professional=professional,
                    legal_frame=data["legal_frame"],
                    start_date=data["start_date"],
                    team=team,
                    by=integration.by,
                )
        created = _fresh(trajectory)
        return Response(s.TrajectorySerializer(created).data, status=status.HTTP_201_CREATED)


def _valid(serializer_class: Any, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _professional(integration: policy.Integration, uuid: Any) -> Any:
    """The professional a write names: a bound token's own, else the one in the body."""
    if integration.acting_for is not None:
        if uuid is not None and uuid != integration.acting_for.uuid:
            raise InvalidInput(
                _("A token bound to a professional acts for that professional only."),
                field="professional",
            )
        return integration.acting_for
    if uuid is None:
        raise InvalidInput(_("Name the professional (their public id)."), field="professional")
    return _user_named(uuid)


def _user_named(uuid: Any) -> Any:
    """The user a body names by public id; whether they may take part is the service's check."""
    user = get_user_model().objects.filter(uuid=uuid).first()
    if user is None:
        raise InvalidInput(_("No such professional in this organisation."), field="professional")
    return user


class TrajectoryDetail(ApiView):
    required_scopes = {"GET": Scope.TRAJECTORIES_READ}
    serializer_class = s.TrajectorySerializer

    @extend_schema(summary="One trajectory", responses={200: s.TrajectorySerializer, **ERRORS})
    def get(self, request: Request, uuid: Any) -> Response:
        trajectory = self.trajectory(uuid, action=Action.TRAJECTORY_VIEW)
        trajectory = _fresh(trajectory)
        return Response(s.TrajectorySerializer(trajectory).data)


class TrajectoryClose(ApiView):
    required_scopes = {"POST": Scope.TRAJECTORIES_WRITE}
    serializer_class = s.TrajectoryCloseSerializer

    @extend_schema(
        summary="End a trajectory; its collecting rounds are closed or cancelled",
        request=s.TrajectoryCloseSerializer,
        responses={200: s.CloseResultSerializer, **ERRORS},
    )
    def post(self, request: Request, uuid: Any) -> Response:
        trajectory = self.trajectory(uuid, perm=Perm.TRAJECTORY_CHANGE)
        data = _valid(s.TrajectoryCloseSerializer, request)
        rounds = trajectory_close(trajectory=trajectory, by=self.integration.by, **data)
        trajectory = _fresh(trajectory)
        return Response(
            {
                "trajectory": s.TrajectorySerializer(trajectory).data,
                "rounds_closed": rounds.to_close,
                "rounds_cancelled": rounds.to_cancel,
            }
        )


class TrajectoryHandOver(ApiView):
    required_scopes = {"POST": Scope.TRAJECTORIES_WRITE}
    serializer_class = s.HandOverSerializer

    @extend_schema(
        summary="Hand a trajectory over to another professional",
        request=s.HandOverSerializer,
        responses={200: s.TrajectorySerializer, **ERRORS},
    )
    def post(self, request: Request, uuid: Any) -> Response:
        trajectory = self.trajectory(uuid, perm=Perm.TRAJECTORY_CHANGE)
        data = _valid(s.HandOverSerializer, request)
        to = _user_named(data["professional"])
        trajectory_hand_over(
            trajectory=trajectory, to_professional=to, by=self.integration.by, reason=data["reason"]
        )
        trajectory = _fresh(trajectory)
        return Response(s.TrajectorySerializer(trajectory).data)


class TrajectoryRounds(ApiView):
    required_scopes = {"GET": Scope.TRAJECTORIES_READ, "POST": Scope.ROUNDS_WRITE}
    serializer_class = s.RoundSerializer

    @extend_schema(
        summary="The rounds of a trajectory, newest first",
        responses={200: s.RoundSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, uuid: Any) -> Response:
        trajectory = self.trajectory(uuid, action=Action.TRAJECTORY_VIEW)
        rounds = (
            rounds_for(self.integration)
            .filter(trajectory=trajectory)
            .select_related("trajectory")
            .order_by("-opened_at", "-pk")
        )
        page = self.paginate_queryset(rounds)
        return self.get_paginated_response(s.RoundSerializer(page, many=True).data)

    @extend_schema(
        summary="Start a measurement round",
        request=s.RoundStartSerializer,
        responses={201: s.RoundSerializer, **ERRORS},
    )
    def post(self, request: Request, uuid: Any) -> Response:
        trajectory = self.trajectory(uuid, perm=Perm.TRAJECTORY_CHANGE)
        data = _valid(s.RoundStartSerializer, request)
        measurement_round = round_start(
            trajectory=trajectory, by=self.integration.by, due_date=data["due_date"]
        )
        return Response(s.RoundSerializer(measurement_round).data, status=status.HTTP_201_CREATED)


class RoundDetail(ApiView):
    required_scopes = {"GET": Scope.TRAJECTORIES_READ}
    serializer_class = s.RoundSerializer

    @extend_schema(summary="A round's status", responses={200: s.RoundSerializer, **ERRORS})
    def get(self, request: Request, uuid: Any) -> Response:
        measurement_round = get_round_for(self.integration, uuid, action=Action.ROUND_VIEW)
        return Response(s.RoundSerializer(measurement_round).data)


class RoundInvitation(ApiView):
    required_scopes = {"POST": Scope.ROUNDS_WRITE}
    serializer_class = s.InvitationCreateSerializer

    @extend_schema(
        summary="Make an invitation for the client; its link or code is shown once",
        request=s.InvitationCreateSerializer,
        responses={201: s.InvitationSerializer, **ERRORS},
    )
    def post(self, request: Request, uuid: Any) -> Response:
        measurement_round = get_round_for(self.integration, uuid, perm=Perm.TRAJECTORY_CHANGE)
        data = _valid(s.InvitationCreateSerializer, request)
        invitation, secret = invitation_create(
            round=measurement_round, kind=data["kind"], by=self.integration.by
        )
        is_link = invitation.kind == InvitationKind.LINK
        url = request.build_absolute_uri(reverse("client:link", kwargs={"token": secret}))
        body = {
            "uuid": invitation.uuid,
            "kind": invitation.kind,
            "purpose": invitation.purpose,
            "expires_at": invitation.expires_at,
            "url": url if is_link else None,
            "code": None if is_link else secret,
        }
        return Response(s.InvitationSerializer(body).data, status=status.HTTP_201_CREATED)


class RoundResults(ApiView):
    required_scopes = {"GET": Scope.RESULTS_READ}
    serializer_class = s.RoundResultsSerializer

    @extend_schema(
        summary="Scores per characteristic per party, once both parties are done",
        responses={200: s.RoundResultsSerializer, **ERRORS},
    )
    def get(self, request: Request, uuid: Any) -> Response:
        integration = self.integration
        if not policy.sees_answers(integration):
            # A token of the whole organisation never sees answers: as if there were none.
            raise Http404
        measurement_round = get_round_for(integration, uuid)
        # The blind rule, checked in one place: raises AnswersNotVisible (409) until allowed.
        results = round_results(measurement_round, viewer="professional")
        audit_record(
            actor=integration.by,
            action=Action.RESULTS_VIEW,
            obj=measurement_round,
            detail={"viewer": "professional"},
        )
        body = {
            "round": measurement_round.uuid,
            "state": measurement_round.state,
            "instrument": measurement_round.instrument_ref,
            "client_submitted": results.client_submitted,
            "professional_submitted": results.professional_submitted,
            "characteristics": [
                {
                    "key": c.key,
                    "name": c.name,
                    "higher_is_better": c.higher_is_better,
                    "client": _side(c.client),
                    "professional": _side(c.professional),
                    "difference": c.difference,
                }
                for c in results.characteristics
            ],
        }
        return Response(s.RoundResultsSerializer(body).data)


def _side(side: Any) -> dict[str, Any]:
    return {
        "score": side.score,
        "answered": side.answered,
        "total": side.total,
        "submitted": side.submitted,
    }


class SignalList(ApiView):
    required_scopes = {"GET": Scope.SIGNALS_READ}
    serializer_class = s.SignalSerializer

    def get_queryset(self) -> Any:
        if not policy.sees_answers(self.integration):
            return Signal.objects.none()
        signals = policy.scoped(
            self.integration, Perm.TRAJECTORY_VIEW, Signal.objects.all(), through="trajectory"
        )
        if self.request.query_params.get("open") in ("1", "true"):
            signals = signals.open()
        return signals.select_related("trajectory", "round").order_by("-raised_at", "-pk")

    @extend_schema(
        summary="Signals of the trajectories the token reaches, newest first",
        responses={200: s.SignalSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        audit_record(
            actor=self.integration.by,
            action=Action.SIGNAL_VIEW,
            detail={"count": len(page), "list": True},
        )
        return self.get_paginated_response(s.SignalSerializer(page, many=True).data)


class TrajectoryOutcomes(ApiView):
    required_scopes = {"POST": Scope.OUTCOMES_WRITE}
    serializer_class = s.OutcomeCreateSerializer

    @extend_schema(
        summary="Record an outcome event (no-show, warning, follow-up …)",
        request=s.OutcomeCreateSerializer,
        responses={201: s.OutcomeSerializer, **ERRORS},
    )
    def post(self, request: Request, uuid: Any) -> Response:
        trajectory = self.trajectory(uuid, perm=Perm.TRAJECTORY_CHANGE)
        data = _valid(s.OutcomeCreateSerializer, request)
        event = outcome_record(trajectory=trajectory, by=self.integration.by, **data)
        return Response(s.OutcomeSerializer(event).data, status=status.HTTP_201_CREATED)
