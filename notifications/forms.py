from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import PortalFormMixin

from .models import Kind


class PreferencesForm(PortalFormMixin, forms.Form):
    emailed = forms.MultipleChoiceField(
        label=_("Send these reminders by email too"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every reminder reaches your inbox in the portal either way."),
    )
    daily_digest = forms.BooleanField(
        label=_("Each morning at 8:00, email me what is still unread"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save")))

    def email_off(self):
        return [kind for kind in Kind.values if kind not in self.cleaned_data["emailed"]]
