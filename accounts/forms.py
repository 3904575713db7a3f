from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.forms import ListFilterForm, PortalFormMixin, date_filter
from teams.forms import SubmitHelperMixin
from teams.models import User

from .models import (
    AccountTeamMember,
    ActionItem,
    AttendeeResponse,
    Client,
    ClientDecision,
    Contact,
    ContactReport,
    Meeting,
    Proposal,
    ProposalRound,
    RoundHours,
)
from .selectors import start_of


class ClientForm(PortalFormMixin, SubmitHelperMixin, forms.ModelForm):
    class Meta:
        model = Client
        fields = [
            "name",
            "code",
            "industry",
            "status",
            "lead_ae",
            "account_director",
            "payment_terms_days",
            "currency",
            "language",
            "allowed_proposal_rounds",
            "needs",
            "difficulties",
        ]
        widgets = {
            "needs": forms.Textarea(attrs={"rows": 4}),
            "difficulties": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_ae"].queryset = User.objects.active().account_executives()
        self.fields["account_director"].queryset = User.objects.active().account_directors()
        self.helper.layout = Layout(
            Row(
                Column("name", css_class="col-md-5"),
                Column("code", css_class="col-md-3"),
                Column("industry", css_class="col-md-4"),
            ),
            Row(
                Column("status", css_class="col-md-4"),
                Column("lead_ae", css_class="col-md-4"),
                Column("account_director", css_class="col-md-4"),
            ),
            Row(
                Column("payment_terms_days", css_class="col-md-3"),
                Column("currency", css_class="col-md-3"),
                Column("language", css_class="col-md-3"),
                Column("allowed_proposal_rounds", css_class="col-md-3"),
            ),
            "needs",
            "difficulties",
        )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = Client.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("A client with this name exists already."))
        return name


class AccountTeamMemberForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = AccountTeamMember
        fields = ["user", "role_on_account"]

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.for_account_teams().exclude(
            account_memberships__client=client
        )
        self.helper = FormHelper()
        # The client page holds the <form> tag: it posts to the team URL.
        self.helper.form_tag = False
        self.helper.layout = Layout("user", "role_on_account", Submit("add", _("Add to the team")))


class ContactForm(PortalFormMixin, SubmitHelperMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "email", "phone", "is_decision_maker", "receives_invoices"]


def client_filter():
    """A list's choice of one client; the list gives the clients it offers."""
    field = forms.ModelChoiceField(
        label=_("Client"),
        required=False,
        queryset=Client.objects.none(),
        empty_label=_("Any client"),
    )
    field.label_fields = ("name",)
    return field


def ae_filter():
    """A list's choice of one AE."""
    field = forms.ModelChoiceField(
        label=_("AE"),
        required=False,
        queryset=User.objects.account_executives(),
        empty_label=_("Any AE"),
    )
    field.label_fields = ("full_name", "email")
    return field


class ClientFilterForm(ListFilterForm):
    SORTS = [
        ("name", _("Name A to Z"), ("name",)),
        ("newest", _("Newest first"), ("-created_at",)),
        ("repitch", _("Highest re-pitch cost"), ("-repitch_cost", "name")),
    ]
    DATE_RANGES = [("opened_from", "opened_to")]
    WIDE = ("q", "ae")

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Client.Status.choices]
    )
    ae = ae_filter()
    opened_from = date_filter(_("Opened from"))
    opened_to = date_filter(_("Opened to"))
    repitching = forms.BooleanField(label=_("Re-pitching only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Name, code or industry")

    def narrow(self, clients, data):
        """`clients` carry their re-pitch figures (Client.objects.for_list)."""
        if data["q"]:
            clients = clients.filter(
                Q(name__icontains=data["q"])
                | Q(code__icontains=data["q"])
                | Q(industry__icontains=data["q"])
            )
        if data["status"]:
            clients = clients.filter(status=data["status"])
        if data["ae"]:
            clients = clients.filter(
                Exists(AccountTeamMember.objects.filter(client=OuterRef("pk"), user=data["ae"]))
            )
        if data["opened_from"]:
            clients = clients.filter(created_at__gte=start_of(data["opened_from"]))
        if data["opened_to"]:
            clients = clients.filter(created_at__lt=start_of(data["opened_to"] + timedelta(1)))
        if data["repitching"]:
            clients = clients.filter(repitch_rounds__gt=0)
        return clients


class ActionItemFilterForm(ListFilterForm):
    """Someone's action items: open ones by default."""

    OPEN, DONE, EVERY = "open", "done", "all"
    SORTS = [
        ("due", _("Due soonest"), ("due_on",)),
        ("-due", _("Due latest"), ("-due_on",)),
        ("agreed", _("Agreed most recently"), ("-report__occurred_at",)),
    ]
    TIEBREAK = ("pk",)
    DATE_RANGES = [("due_from", "due_to")]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    client = client_filter()
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(OPEN, _("Open")), (DONE, _("Done")), (EVERY, _("Open and done"))],
    )
    due_from = date_filter(_("Due from"))
    due_to = date_filter(_("Due to"))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients

    def narrow(self, items, data):
        if data["q"]:
            items = items.filter(
                Q(description__icontains=data["q"]) | Q(report__client__name__icontains=data["q"])
            )
        if data["client"]:
            items = items.filter(report__client=data["client"])
        status = data["status"] or self.OPEN
        if status == self.OPEN:
            items = items.open()
        elif status == self.DONE:
            items = items.filter(done_at__isnull=False)
        if data["due_from"]:
            items = items.filter(due_on__gte=data["due_from"])
        if data["due_to"]:
            items = items.filter(due_on__lte=data["due_to"])
        if data["overdue"]:
            items = items.open().filter(due_on__lt=timezone.localdate())
        return items


class MeetingFilterForm(ListFilterForm):
    SORTS = [
        ("-starts", _("Latest first"), ("-starts_at",)),
        ("starts", _("Earliest first"), ("starts_at",)),
    ]
    DATE_RANGES = [("held_from", "held_to")]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    client = client_filter()
    organiser = forms.ModelChoiceField(
        label=_("Organiser"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Anyone"),
    )
    organiser.label_fields = ("full_name", "email")
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *Meeting.Kind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Meeting.State.choices],
    )
    held_from = date_filter(_("From"))
    held_to = date_filter(_("To"))

    def __init__(self, *args, clients, organisers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["organiser"].queryset = organisers

    def narrow(self, meetings, data):
        if data["q"]:
            meetings = meetings.filter(
                Q(client__name__icontains=data["q"])
                | Q(place__icontains=data["q"])
                | Q(agenda__icontains=data["q"])
            )
        if data["client"]:
            meetings = meetings.filter(client=data["client"])
        if data["organiser"]:
            meetings = meetings.filter(organiser=data["organiser"])
        if data["kind"]:
            meetings = meetings.filter(kind=data["kind"])
        now = timezone.now()
        status = data["status"]
        if status == Meeting.State.UPCOMING:
            meetings = meetings.scheduled().filter(starts_at__gt=now)
        elif status == Meeting.State.UNREPORTED:
            meetings = meetings.scheduled().filter(starts_at__lte=now, report__isnull=True)
        elif status == Meeting.State.REPORTED:
            meetings = meetings.filter(report__isnull=False)
        elif status == Meeting.State.CANCELLED:
            meetings = meetings.filter(cancelled_at__isnull=False)
        if data["held_from"]:
            meetings = meetings.filter(starts_at__gte=start_of(data["held_from"]))
        if data["held_to"]:
            meetings = meetings.filter(starts_at__lt=start_of(data["held_to"] + timedelta(1)))
        return meetings


class ContactReportForm(PortalFormMixin, SubmitHelperMixin, forms.ModelForm):
    submit_label = _("Save the report")

    class Meta:
        model = ContactReport
        fields = [
            "occurred_at",
            "kind",
            "client_attendees",
            "staff_attendees",
            "agenda",
            "discussion",
            "decisions",
            "client_feedback",
        ]
        widgets = {
            "occurred_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "client_attendees": forms.CheckboxSelectMultiple,
            "staff_attendees": forms.SelectMultiple(attrs={"size": 6}),
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "discussion": forms.Textarea(attrs={"rows": 6}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
            "client_feedback": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_attendees"].queryset = client.contacts.all()
        self.fields["staff_attendees"].queryset = User.objects.active()
        # The action items are rendered between the report and the submit button.
        self.helper.form_tag = False
        self.helper.inputs = []
        self.helper.layout = Layout(
            Row(Column("occurred_at", css_class="col-md-6"), Column("kind", css_class="col-md-6")),
            Row(
                Column("client_attendees", css_class="col-md-6"),
                Column("staff_attendees", css_class="col-md-6"),
            ),
            "agenda",
            "discussion",
            "decisions",
            "client_feedback",
        )


class MeetingForm(PortalFormMixin, SubmitHelperMixin, forms.ModelForm):
    submit_label = _("Save the meeting")

    class Meta:
        model = Meeting
        fields = [
            "starts_at",
            "minutes",
            "kind",
            "place",
            "client_attendees",
            "staff_attendees",
            "agenda",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "minutes": forms.NumberInput(attrs={"step": 5}),
            "client_attendees": forms.CheckboxSelectMultiple,
            "staff_attendees": forms.SelectMultiple(attrs={"size": 6}),
            "agenda": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_attendees"].queryset = client.contacts.all()
        self.fields["staff_attendees"].queryset = User.objects.active()
        self.fields["staff_attendees"].label_from_instance = lambda user: user.full_name
        self.helper.layout = Layout(
            Row(
                Column("starts_at", css_class="col-md-4"),
                Column("minutes", css_class="col-md-4"),
                Column("kind", css_class="col-md-4"),
            ),
            "place",
            Row(
                Column("client_attendees", css_class="col-md-6"),
                Column("staff_attendees", css_class="col-md-6"),
            ),
            "agenda",
        )


class ActionItemForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["description", "owner", "due_on"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.active()
        self.fields["owner"].label_from_instance = lambda user: user.full_name


ActionItemFormSet = forms.inlineformset_factory(
    ContactReport, ActionItem, form=ActionItemForm, extra=1, can_delete=True
)


def action_items_from(formset) -> list[dict]:
    """What the service needs of a valid action-item formset; untouched blank rows are left out."""
    items = []
    for form in formset.forms:
        if not form.has_changed() and form.instance.pk is None:
            continue
        data = form.cleaned_data
        items.append(
            {
                "id": form.instance if form.instance.pk else None,
                "description": data.get("description"),
                "owner": data.get("owner"),
                "due_on": data.get("due_on"),
                "delete": data.get("DELETE", False),
            }
        )
    return items


class AttendeeResponseForm(PortalFormMixin, forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            (AttendeeResponse.Answer.CONFIRMED, _("I confirm the decisions and action items")),
            (AttendeeResponse.Answer.CORRECTED, _("Something needs correcting")),
        ],
        widget=forms.RadioSelect,
    )
    correction = forms.CharField(
        label=_("What should we correct?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Send my answer")))

    def clean(self):
        data = super().clean()
        if (
            data.get("answer") == AttendeeResponse.Answer.CORRECTED
            and not data.get("correction", "").strip()
        ):
            self.add_error("correction", _("Tell us what to correct."))
        return data


class DocumentSendForm(PortalFormMixin, SubmitHelperMixin, forms.Form):
    """To whom a document goes (the client's contacts with an email address) and the
    message with it."""

    submit_label = _("Send")

    contacts = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("recipients of an email", "To"),
        queryset=Contact.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one contact.")},
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("It opens the email, above the document."),
    )

    def __init__(self, *args, client, initial_contacts=None, **kwargs):
        super().__init__(*args, **kwargs)
        contacts = self.fields["contacts"]
        contacts.queryset = client.contacts.exclude(email="").order_by("name")
        contacts.label_from_instance = lambda contact: (
            f"{contact.name} · {contact.title} <{contact.email}>"
            if contact.title
            else f"{contact.name} <{contact.email}>"
        )
        if initial_contacts is not None and not self.is_bound:
            self.initial["contacts"] = [contact.pk for contact in initial_contacts]


class AttachmentForm(PortalFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File"), error_messages={"required": _("Choose a file to attach.")}
    )


class ClientDecisionForm(PortalFormMixin, SubmitHelperMixin, forms.Form):
    """A client contact's answer to a document: approve, signing with their name, or ask
    for changes, saying which."""

    submit_label = _("Send my answer")

    decision = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            (ClientDecision.Decision.APPROVED, _("I approve this document")),
            (ClientDecision.Decision.CHANGES, _("I ask for changes")),
        ],
        widget=forms.RadioSelect,
    )
    signed_name = forms.CharField(
        label=_("Your full name, as your signature"),
        required=False,
        max_length=150,
        help_text=_("Needed to approve."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed when you ask for changes: say what should change."),
    )

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == ClientDecision.Decision.APPROVED and not data.get("signed_name", "").strip():
            self.add_error("signed_name", _("Type your name to sign the approval."))
        if decision == ClientDecision.Decision.CHANGES and not data.get("comment", "").strip():
            self.add_error("comment", _("Say what should change."))
        return data


class ProposalForm(PortalFormMixin, SubmitHelperMixin, forms.ModelForm):
    submit_label = _("Open the proposal")

    class Meta:
        model = Proposal
        fields = ["title", "kind", "project"]

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        # The client's own projects, read through the reverse relation.
        self.fields["project"].queryset = client.projects.all()
        self.fields["project"].help_text = _("The project the proposal serves, if it has one.")


class RoundStatusForm(PortalFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Move to"))
    presented_on = forms.DateField(
        label=_("Presented on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When the round is presented; today if left empty."),
    )
    revision_reasons = forms.CharField(
        label=_("The client's reasons for revision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, round_, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "---------")] + [
            (status, ProposalRound.Status(status).label) for status in round_.next_statuses
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Change the status")))

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if (
            status == ProposalRound.Status.REVISION_REQUESTED
            and not data.get("revision_reasons", "").strip()
        ):
            self.add_error("revision_reasons", _("Write down why the client wants a revision."))
        presented_on = data.get("presented_on")
        if presented_on and presented_on > timezone.localdate():
            self.add_error("presented_on", _("A round is presented on a day that has come."))
        return data


class RoundHoursForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = RoundHours
        fields = ["person", "hours"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = User.objects.active()
        self.fields["hours"].widget.attrs.update({"min": "0.25", "step": "0.25"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("person", css_class="col-sm-6"),
                Column("hours", css_class="col-sm-3"),
                Column(Submit("log", _("Log hours"), css_class="mt-sm-4"), css_class="col-sm-3"),
            )
        )

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours <= 0:
            raise forms.ValidationError(_("Hours must be more than zero."))
        if hours > 1000:
            raise forms.ValidationError(_("That is more hours than a round can take."))
        return hours
