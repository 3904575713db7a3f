from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from common.forms import PortalFormMixin

from .models import User


class SubmitHelperMixin:
    """Gives a form a crispy helper that renders it as a POST form with one submit button."""

    submit_label = _("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class SignInForm(PortalFormMixin, SubmitHelperMixin, auth_forms.AuthenticationForm):
    submit_label = _("Sign in")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "type": "email"})


class PasswordChangeForm(PortalFormMixin, SubmitHelperMixin, auth_forms.PasswordChangeForm):
    submit_label = _("Change password")


class PasswordResetForm(PortalFormMixin, SubmitHelperMixin, auth_forms.PasswordResetForm):
    submit_label = _("Send the reset link")


class SetPasswordForm(PortalFormMixin, SubmitHelperMixin, auth_forms.SetPasswordForm):
    submit_label = _("Set the new password")


class PreferencesForm(PortalFormMixin, SubmitHelperMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["language"]


class UserCreationForm(PortalFormMixin, auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "department", "role"]


class UserChangeForm(PortalFormMixin, auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
