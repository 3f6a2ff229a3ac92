"""Study pages (namespace ``research``, under ``/onderzoek/``)."""

from django.urls import path

from alliantiemonitor.research.views import (
    followup,
    organisation,
    outputs,
    phase_entry,
    sampling,
    studies,
    trajectory,
)

app_name = "research"

urlpatterns = [
    path("", studies.study_list, name="study_list"),
    path("nieuw/", studies.study_new, name="study_new"),
    path("<uuid:uuid>/", studies.study_detail, name="study_detail"),
    path("<uuid:uuid>/bewerken/", studies.study_edit, name="study_edit"),
    path("<uuid:uuid>/status/", studies.study_status, name="study_status"),
    path("<uuid:uuid>/fase/", studies.phase_add, name="phase_add"),
    path("<uuid:uuid>/fase/<uuid:phase>/", studies.phase_edit, name="phase_edit"),
    path("<uuid:uuid>/deelname/", studies.study_enrol_organisation, name="study_enrol"),
    # Follow-up outcomes (a file, its dry run, the confirmation) and interview samples.
    path("<uuid:uuid>/uitkomsten/", followup.followup_upload, name="followup"),
    path(
        "<uuid:uuid>/uitkomsten/<uuid:upload>/bevestigen/",
        followup.followup_confirm,
        name="followup_confirm",
    ),
    path("<uuid:uuid>/steekproef/", sampling.samples, name="samples"),
    path("<uuid:uuid>/steekproef/<uuid:sample>/", sampling.sample_detail, name="sample_detail"),
    # A researcher types in the answers to a phase questionnaire (telephone interview).
    path("<uuid:uuid>/invoer/", phase_entry.phase_entry, name="phase_entry"),
    # Exports and reports, built by the worker.
    path("<uuid:uuid>/uitvoer/", outputs.outputs, name="outputs"),
    path(
        "<uuid:uuid>/uitvoer/<uuid:output>/<str:name>",
        outputs.output_download,
        name="output_download",
    ),
    # The organisation admin's agreement.
    path("deelname/", organisation.enrolments, name="enrolments"),
    path("deelname/<uuid:uuid>/akkoord/", organisation.enrolment_agree, name="enrolment_agree"),
    # The research box of a trajectory (its professional).
    path("traject/<uuid:uuid>/", trajectory.trajectory_box, name="trajectory"),
    path(
        "traject/<uuid:uuid>/inschrijven/",
        trajectory.trajectory_enrol_view,
        name="trajectory_enrol",
    ),
    path(
        "traject/<uuid:uuid>/toestemming/", trajectory.trajectory_consent, name="trajectory_consent"
    ),
    path(
        "traject/<uuid:uuid>/intrekken/", trajectory.trajectory_withdraw, name="trajectory_withdraw"
    ),
]
