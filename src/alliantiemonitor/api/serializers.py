"""What the API reads and writes: identifiers and states, and scores only where allowed."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliantiemonitor.measurements.constants import InvitationKind, RoundState
from alliantiemonitor.trajectories.constants import (
    END_KINDS,
    ClientLanguage,
    OutcomeKind,
    TrajectoryStatus,
)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(required=False)


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class ClientSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    display_name = serializers.CharField()
    preferred_language = serializers.ChoiceField(choices=ClientLanguage.choices)
    easy_read = serializers.BooleanField()


class TrajectorySerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    client = ClientSerializer()
    status = serializers.ChoiceField(choices=TrajectoryStatus.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    team = serializers.UUIDField(source="team.uuid", allow_null=True, default=None)
    professional = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.UUID)
    def get_professional(self, trajectory: Any) -> str | None:
        """The public id of the currently assigned professional (none once ended)."""
        open_assignments = getattr(trajectory, "open_assignments", None)
        if open_assignments is None:
            current = trajectory.current_assignment
        else:
            current = open_assignments[0] if open_assignments else None
        return str(current.professional.uuid) if current is not None else None


class TrajectoryCreateSerializer(serializers.Serializer):
    """A new client with their first trajectory, or a new trajectory of a known client."""

    client = serializers.UUIDField(required=False, help_text="An existing client's public id.")
    display_name = serializers.CharField(required=False, max_length=80)
    preferred_language = serializers.ChoiceField(
        choices=ClientLanguage.choices, default=ClientLanguage.DUTCH
    )
    easy_read = serializers.BooleanField(default=False)
    legal_frame = serializers.CharField(allow_blank=True, default="", max_length=200)
    start_date = serializers.DateField()
    professional = serializers.UUIDField(
        required=False, help_text="Required for an organisation token; a bound token's own."
    )
    team = serializers.UUIDField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("client") and not attrs.get("display_name"):
            raise serializers.ValidationError(
                {"display_name": [_("Give a display name for a new client, or a client's id.")]}
            )
        return attrs


class TrajectoryCloseSerializer(serializers.Serializer):
    end_date = serializers.DateField()
    reason_kind = serializers.ChoiceField(choices=sorted(END_KINDS))
    note = serializers.CharField(allow_blank=True, default="", max_length=500)


class HandOverSerializer(serializers.Serializer):
    professional = serializers.UUIDField()
    reason = serializers.CharField(allow_blank=True, default="", max_length=200)


class CloseResultSerializer(serializers.Serializer):
    trajectory = TrajectorySerializer()
    rounds_closed = serializers.IntegerField()
    rounds_cancelled = serializers.IntegerField()


class RoundSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    trajectory = serializers.UUIDField(source="trajectory.uuid")
    state = serializers.ChoiceField(choices=RoundState.choices)
    instrument = serializers.CharField(source="instrument_ref")
    opened_at = serializers.DateTimeField()
    due_date = serializers.DateField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    after_handover = serializers.BooleanField()


class RoundStartSerializer(serializers.Serializer):
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class InvitationCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=InvitationKind.choices, default=InvitationKind.LINK)


class InvitationSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    kind = serializers.CharField()
    purpose = serializers.CharField()
    expires_at = serializers.DateTimeField()
    url = serializers.CharField(
        allow_null=True, help_text="The personal link (kind link). Shown once."
    )
    code = serializers.CharField(
        allow_null=True, help_text="The short code (kind code). Shown once."
    )


class SideScoreSerializer(serializers.Serializer):
    score = serializers.FloatField(allow_null=True)
    answered = serializers.IntegerField()
    total = serializers.IntegerField()
    submitted = serializers.BooleanField()


class CharacteristicScoreSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    higher_is_better = serializers.BooleanField()
    client = SideScoreSerializer()
    professional = SideScoreSerializer()
    difference = serializers.FloatField(allow_null=True)


class RoundResultsSerializer(serializers.Serializer):
    round = serializers.UUIDField()
    state = serializers.ChoiceField(choices=RoundState.choices)
    instrument = serializers.CharField()
    client_submitted = serializers.BooleanField()
    professional_submitted = serializers.BooleanField()
    characteristics = CharacteristicScoreSerializer(many=True)


class SignalSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    trajectory = serializers.UUIDField(source="trajectory.uuid")
    round = serializers.UUIDField(source="round.uuid")
    kind = serializers.CharField()
    characteristic = serializers.CharField()
    rater = serializers.CharField()
    raised_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)


class OutcomeCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(k, str(label)) for k, label in OutcomeKind.choices if k not in END_KINDS]
    )
    date = serializers.DateField()
    note = serializers.CharField(allow_blank=True, default="", max_length=500)


class OutcomeSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    trajectory = serializers.UUIDField(source="trajectory.uuid")
    kind = serializers.CharField()
    date = serializers.DateField()
