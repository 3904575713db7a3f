from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import ae_filter, client_filter
from accounts.models import Client
from common.forms import ListFilterForm, PortalFormMixin, SignOffForm, date_filter
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


class ProjectFilterForm(ListFilterForm):
    SORTS = [
        ("deadline", _("Deadline soonest"), ("deadline", "job_number")),
        ("-deadline", _("Deadline latest"), ("-deadline", "-job_number")),
        ("newest", _("Newest first"), ("-created_at", "job_number")),
        ("job", _("Job number"), ("job_number",)),
    ]
    # A job number names one project: the orders above are whole, and the first follows
    # the list's index.
    TIEBREAK = ()
    DATE_RANGES = [("deadline_from", "deadline_to")]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    client = client_filter()
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("Any stage")), *Stage.choices]
    )
    owner = ae_filter()
    deadline_from = date_filter(_("Deadline from"))
    deadline_to = date_filter(_("Deadline to"))
    late = forms.BooleanField(label=_("Late only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.visible_to(user).order_by("name")
        self.fields["q"].widget.attrs["placeholder"] = _("Job number, project or client")

    def narrow(self, projects, data):
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
        if data["deadline_from"]:
            projects = projects.filter(deadline__gte=data["deadline_from"])
        if data["deadline_to"]:
            projects = projects.filter(deadline__lte=data["deadline_to"])
        if data["late"]:
            projects = projects.late()
        return projects


class MyTaskFilterForm(ListFilterForm):
    """The tasks handed to someone: the open ones unless a status is chosen."""

    SORTS = [
        ("due", _("Due soonest"), ("due_on",)),
        ("-due", _("Due latest"), ("-due_on",)),
        ("client", _("Client"), ("project__client__name", "due_on")),
    ]
    TIEBREAK = ("pk",)
    DATE_RANGES = [("due_from", "due_to")]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    client = client_filter()
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any open status")), *Task.Status.choices],
    )
    due_from = date_filter(_("Due from"))
    due_to = date_filter(_("Due to"))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["q"].widget.attrs["placeholder"] = _("Task, job number or client")

    def narrow(self, tasks, data):
        if data["q"]:
            tasks = tasks.filter(
                Q(title__icontains=data["q"])
                | Q(project__job_number__icontains=data["q"])
                | Q(project__client__name__icontains=data["q"])
            )
        if data["client"]:
            tasks = tasks.filter(project__client=data["client"])
        if data["status"]:
            tasks = tasks.filter(status=data["status"])
        else:
            tasks = tasks.exclude(status=Task.Status.DONE)
        if data["due_from"]:
            tasks = tasks.filter(due_on__gte=data["due_from"])
        if data["due_to"]:
            tasks = tasks.filter(due_on__lte=data["due_to"])
        if data["overdue"]:
            tasks = tasks.exclude(status=Task.Status.DONE).filter(due_on__lt=timezone.localdate())
        return tasks


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
