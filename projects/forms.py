from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Client
from common.forms import PortalFormMixin, SignOffForm
from teams.forms import SubmitHelperMixin
from teams.models import Department, User

from .models import Project, RevisionRequest, Stage, StrategyBrief, Task

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(PortalFormMixin, SubmitHelperMixin, forms.ModelForm):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none())

    class Meta:
        model = Project
        fields = [
            "client",
            "name",
            "start_date",
            "deadline",
            "owner",
            "team",
            "objective",
            "audience",
            "key_message",
            "deliverables",
            "kpis",
        ]
        widgets = {
            "start_date": DATE,
            "deadline": DATE,
            "team": forms.SelectMultiple(attrs={"size": 6}),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ["objective", "audience", "key_message", "deliverables", "kpis"]
            },
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["client"]
        else:
            self.fields["client"].queryset = Client.objects.editable_by(user)
        self.fields["owner"].queryset = User.objects.active().account_executives()
        self.fields["team"].queryset = User.objects.active()
        self.fields["team"].required = False
        self.helper.layout = Layout(
            *(["client"] if "client" in self.fields else []),
            Row(
                Column("name", css_class="col-md-6"),
                Column("start_date", css_class="col-md-3"),
                Column("deadline", css_class="col-md-3"),
            ),
            Row(Column("owner", css_class="col-md-6"), Column("team", css_class="col-md-6")),
            Fieldset(_("Brief"), "objective", "audience", "key_message", "deliverables", "kpis"),
        )

    def clean(self):
        data = super().clean()
        start, deadline = data.get("start_date"), data.get("deadline")
        if start and deadline and deadline < start:
            self.add_error("deadline", _("The deadline cannot come before the start."))
        return data


class ProjectFilterForm(PortalFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    client = forms.ModelChoiceField(
        label=_("Client"),
        required=False,
        queryset=Client.objects.none(),
        empty_label=_("Any client"),
    )
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("Any stage")), *Stage.choices]
    )
    owner = forms.ModelChoiceField(
        label=_("AE"), required=False, queryset=User.objects.none(), empty_label=_("Any AE")
    )
    late = forms.BooleanField(label=_("Late only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.visible_to(user)
        self.fields["owner"].queryset = User.objects.account_executives()

    def filter(self, projects):
        if not self.is_valid():
            return projects
        data = self.cleaned_data
        if data["q"]:
            projects = projects.filter(
                Q(job_number__icontains=data["q"])
                | Q(name__icontains=data["q"])
                | Q(client__name__icontains=data["q"])
            )
        if data["client"]:
            projects = projects.filter(client=data["client"])
        if data["stage"]:
            projects = projects.filter(stage=data["stage"])
        if data["owner"]:
            projects = projects.filter(owner=data["owner"])
        if data["late"]:
            projects = projects.late()
        return projects


class StageForm(PortalFormMixin, forms.Form):
    stage = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the project goes back a stage."),
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", "---------")] + [
            (value, label) for value, label in Stage.choices if value != project.stage
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("move", _("Change the stage")))


class TaskForm(PortalFormMixin, SubmitHelperMixin, forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "department", "assignee", "due_on", "status", "waits_on", "handoff_note"]
        widgets = {"due_on": DATE, "handoff_note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.all()
        self.fields["assignee"].queryset = User.objects.active()
        self.fields["waits_on"].queryset = project.tasks.exclude(pk=self.instance.pk)
        self.helper.layout = Layout(
            "title",
            Row(
                Column("department", css_class="col-md-4"),
                Column("assignee", css_class="col-md-4"),
                Column("due_on", css_class="col-md-4"),
            ),
            Row(Column("status", css_class="col-md-4"), Column("waits_on", css_class="col-md-8")),
            "handoff_note",
        )


class TaskStatusForm(PortalFormMixin, forms.Form):
    status = forms.ChoiceField(choices=Task.Status.choices)
    handoff_note = forms.CharField(required=False)


class StrategyBriefForm(PortalFormMixin, SubmitHelperMixin, forms.ModelForm):
    submit_label = _("Save the draft")

    class Meta:
        model = StrategyBrief
        fields = StrategyBrief.CONTENT_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in StrategyBrief.CONTENT_FIELDS}


class BriefReviewForm(SignOffForm):
    """Approving a strategy locks the version."""

    confirm_label = _("I have read the strategy: this version is approved and locks.")
    confirm_missing = _("Confirm that this version is approved and locks.")
    comments_missing = _("Say what to change when returning a strategy.")


class CreativeReviewForm(PortalFormMixin, forms.Form):
    on_strategy = forms.TypedChoiceField(
        label=_("On strategy?"),
        choices=[(True, _("Yes")), (False, _("No"))],
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
    )
    verdict = forms.ChoiceField(
        label=_("Good enough?"),
        choices=[("approve", _("Approve")), ("rework", _("Rework"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.points = points
        for index, point in enumerate(points):
            self.fields[f"point_{index}"] = forms.BooleanField(label=point, required=False)
        self.order_fields([f"point_{index}" for index in range(len(points))])
        self.helper = FormHelper()
        self.helper.add_input(Submit("review", _("Record the review")))

    def points_met(self):
        return [self.cleaned_data[f"point_{index}"] for index in range(len(self.points))]

    def clean(self):
        data = super().clean()
        if data.get("on_strategy") and not all(
            data.get(f"point_{index}") for index in range(len(self.points))
        ):
            self.add_error(
                "on_strategy", _("Work that misses a point of the strategy is not on strategy.")
            )
        return data


class RevisionRequestForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = RevisionRequest
        fields = ["requested_on", "reason"]
        widgets = {"requested_on": DATE, "reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("log", _("Log the request")))

    def clean_requested_on(self):
        requested_on = self.cleaned_data["requested_on"]
        if requested_on > timezone.localdate():
            raise forms.ValidationError(_("Log a request once the client has made it."))
        return requested_on
