from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import (
    PasswordChangeForm,
    PasswordResetForm,
    PreferencesForm,
    SetPasswordForm,
    SignInForm,
)
from .services import calendar_token_replace, user_set_language


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "teams/sign_in.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "teams/password_change.html"
    success_url = reverse_lazy("teams:preferences")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "teams/password_reset.html"
    email_template_name = "teams/email/password_reset.txt"
    html_email_template_name = "teams/email/password_reset.html"
    subject_template_name = "teams/email/password_reset_subject.txt"
    success_url = reverse_lazy("teams:password_reset_sent")


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "teams/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "teams/password_reset_confirm.html"
    success_url = reverse_lazy("teams:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "teams/password_reset_complete.html"


def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_set_language(user=request.user, language=form.cleaned_data["language"])
        messages.success(request, _("Your preferences have been saved."))
        return redirect("teams:preferences")
    token = request.user.calendar_token
    calendar_url = (
        request.build_absolute_uri(reverse("calendar_feed", args=[token])) if token else None
    )
    return render(request, "teams/preferences.html", {"form": form, "calendar_url": calendar_url})


@require_POST
def calendar_link_replace(request):
    """A new address for the person's calendar feed; the old one stops working at once."""
    had_one = bool(request.user.calendar_token)
    calendar_token_replace(user=request.user)
    if had_one:
        messages.success(
            request, _("Your calendar has a new address; the old one no longer works.")
        )
    else:
        messages.success(request, _("Your calendar address is ready: add it to your calendar app."))
    return redirect("teams:preferences")
