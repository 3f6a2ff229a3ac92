"""Password reset by e-mail: Django's views with our templates, texts and limits.

The link's token never stays in an address that a page is shown at: Django's confirm view
puts it in the session and redirects to an address without it (``set-password``), so neither
the history nor a Referer carries it (and ``SECURE_REFERRER_POLICY`` keeps Referers on our own
site anyway). A reset password is the user's own: no forced change afterwards, and the login
that follows still asks for the second factor.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from alliantiemonitor.accounts.password_reset import password_reset_request_allow
from alliantiemonitor.audit.context import acting_as


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for an e-mail address; mail a reset link if an active account has it."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    @property
    def extra_email_context(self) -> dict[str, Any]:  # type: ignore[override]
        # Links in mail are built on the configured address, not on the request's Host.
        return {"base_url": settings.ALLIANTIEMONITOR_BASE_URL}

    def form_valid(self, form: Any) -> HttpResponse:
        if not password_reset_request_allow(request=self.request, email=form.cleaned_data["email"]):
            return render(
                self.request,
                "accounts/password_reset_limited.html",
                {"hours": settings.AXES_COOLOFF_TIME},
                status=429,
            )
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password through the link (Django moves the token into the session)."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        # The user acts on their own account: their password, not one to change at login.
        with acting_as(self.user):
            return super().form_valid(form)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
