"""The round page and inviting the client (included in the ``measurements`` namespace)."""

from django.urls import path

from alliantiemonitor.measurements.views import invite

urlpatterns = [
    path("<uuid:uuid>/", invite.round_detail, name="round_detail"),
    path("<uuid:uuid>/uitnodigen/link/", invite.invite_link, name="invite_link"),
    path("<uuid:uuid>/uitnodigen/code/", invite.invite_code, name="invite_code"),
    path("<uuid:uuid>/overhandigen/", invite.hand_over_device, name="hand_over_device"),
    path(
        "<uuid:uuid>/uitnodigingen/<uuid:invitation>/",
        invite.invitation_show,
        name="invitation_show",
    ),
    path(
        "<uuid:uuid>/uitnodigingen/<uuid:invitation>/intrekken/",
        invite.revoke,
        name="revoke",
    ),
]
