from django import forms
from django.utils.translation import gettext_lazy as _

from common import search
from common.forms import PortalFormMixin


class SearchForm(PortalFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), max_length=search.MAX_LENGTH, required=False)

    def clean_q(self):
        query = self.cleaned_data["q"].strip()
        if query and not search.words(query):
            raise forms.ValidationError(
                _("Type two Chinese characters, or a letter or digit, at least.")
            )
        return query
