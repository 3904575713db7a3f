import datetime as dt
from decimal import Decimal

import factory
from django.urls import reverse
from django.utils import timezone

from teams.models import Department, User
from teams.roles import Role

PASSWORD = "correct horse battery staple"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Department {n}")
    code = factory.Sequence(lambda n: f"department-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@agency.example")
    full_name = factory.Faker("name")
    role = Role.AE
    cost_rate = Decimal("200.00")
    bill_rate = Decimal("600.00")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ClientFactory(factory.django.DjangoModelFactory):
    """Opened through the service, so that the lead AE and director are on the team."""

    class Meta:
        model = "accounts.Client"

    name = factory.Sequence(lambda n: f"Client {n:03d}")
    code = factory.Sequence(lambda n: f"C{n:03d}")
    industry = "Consumer goods"
    status = "active"
    lead_ae = factory.SubFactory(UserFactory, role=Role.AE)
    account_director = factory.SubFactory(UserFactory, role=Role.ACCOUNT_DIRECTOR)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from accounts.services import client_create

        return client_create(created_by=kwargs["lead_ae"], **kwargs)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.Contact"

    client = factory.SubFactory(ClientFactory)
    name = factory.Faker("name")
    title = "Brand manager"
    email = factory.Sequence(lambda n: f"contact{n}@client.example")


class ContactReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.ContactReport"

    client = factory.SubFactory(ClientFactory)
    author = factory.LazyAttribute(lambda report: report.client.lead_ae)
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))
    kind = "meeting"
    discussion = "Reviewed the launch plan."


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.ActionItem"

    report = factory.SubFactory(ContactReportFactory)
    description = factory.Sequence(lambda n: f"Follow-up {n}")
    owner = factory.LazyAttribute(lambda item: item.report.author)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=3))


class MeetingFactory(factory.django.DjangoModelFactory):
    """Scheduled through the service, by the client's lead AE, who attends."""

    class Meta:
        model = "accounts.Meeting"

    client = factory.SubFactory(ClientFactory)
    organiser = factory.LazyAttribute(lambda meeting: meeting.client.lead_ae)
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    kind = "meeting"
    place = "Client HQ, room 3"
    agenda = "Review the key visual."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from accounts.services import meeting_schedule

        kwargs.setdefault("client_attendees", [])
        kwargs.setdefault("staff_attendees", [kwargs["organiser"]])
        return meeting_schedule(**kwargs)


class ProposalFactory(factory.django.DjangoModelFactory):
    """Opened through the service, with its first round."""

    class Meta:
        model = "accounts.Proposal"

    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"Launch campaign {n}")
    kind = "creative"
    created_by = factory.LazyAttribute(lambda proposal: proposal.client.lead_ae)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from accounts.services import proposal_create

        return proposal_create(**kwargs)


class ProjectFactory(factory.django.DjangoModelFactory):
    """Opened through the service, which gives it its job number."""

    class Meta:
        model = "projects.Project"

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    owner = factory.LazyAttribute(lambda project: project.client.lead_ae)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    deadline = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    objective = "Grow trial among young families."
    key_message = "Fresh from the farm every morning."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from projects.services import project_create

        stage = kwargs.pop("stage", None)
        project = project_create(created_by=kwargs["owner"], **kwargs)
        if stage:
            model_class.objects.filter(pk=project.pk).update(stage=stage)
            project.stage = stage
        return project


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Task"

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    department = factory.SubFactory(DepartmentFactory, name="Creative", code="creative")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=5))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Through the service, which counts the task on the traffic board."""
        from projects.services import task_create

        project = kwargs.pop("project")
        return task_create(project=project, created_by=project.owner, **kwargs)


class ApprovedEstimateFactory(factory.django.DjangoModelFactory):
    """A project's budget as it becomes a working budget: started and filled in by the
    project's AE, submitted, and signed off by a director, all through the services."""

    class Meta:
        model = "budgets.Estimate"

    project = factory.SubFactory(ProjectFactory)
    lines = factory.LazyFunction(lambda: {"production": Decimal("10000")})
    fee = Decimal("30000")
    director = factory.SubFactory(UserFactory, role=Role.ACCOUNT_DIRECTOR)

    @classmethod
    def _create(cls, model_class, *args, project, lines, director, **fields):
        from budgets import services

        estimate = services.estimate_start(project=project, author=project.owner)
        services.estimate_update(
            estimate=estimate,
            editor=project.owner,
            revision=estimate.revision,
            lines={category: Decimal(amount) for category, amount in lines.items()},
            **fields,
        )
        services.estimate_submit(estimate=estimate, submitted_by=project.owner)
        return services.estimate_approve(estimate=estimate, approved_by=director)


class InvoiceFactory(factory.django.DjangoModelFactory):
    """An invoice issued by finance through the service, with its lines; `sent=True` sends
    it too."""

    class Meta:
        model = "billing.Invoice"

    client = factory.SubFactory(ClientFactory)
    created_by = factory.SubFactory(UserFactory, role=Role.FINANCE)
    issue_date = factory.LazyFunction(timezone.localdate)
    lines = factory.LazyFunction(lambda: [("Agency fee", Decimal("1000"))])
    tax_rate = Decimal("0")
    sent = False

    @classmethod
    def _create(cls, model_class, *args, sent, **kwargs):
        from billing import services

        invoice = services.invoice_create(**kwargs)
        if sent:
            invoice = services.invoice_send(invoice=invoice, sent_by=kwargs["created_by"])
        return invoice


class PaymentFactory(factory.django.DjangoModelFactory):
    """A payment finance records against a sent invoice: all of it unless told otherwise."""

    class Meta:
        model = "billing.Payment"

    invoice = factory.SubFactory(InvoiceFactory, sent=True)
    recorded_by = factory.LazyAttribute(lambda payment: payment.invoice.created_by)
    paid_on = factory.LazyAttribute(lambda payment: payment.invoice.issue_date)
    amount = factory.LazyAttribute(lambda payment: payment.invoice.total)
    method = "bank_transfer"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from billing import services

        return services.payment_record(**kwargs)


def approval_link(document) -> str:
    """The path of the link a client contact gets to approve a signed-off estimate or to
    decide on a presented proposal round, sent to the first of its client's contacts with an
    email address."""
    from accounts import services as accounts
    from accounts.models import ProposalRound, SentDocument
    from budgets import services as budgets

    if isinstance(document, ProposalRound):
        client = document.proposal.client
        contact = client.contacts.exclude(email="").first()
        accounts.proposal_round_send(round_=document, sent_by=client.lead_ae, contacts=[contact])
    else:
        owner = document.project.owner
        contact = document.project.client.contacts.exclude(email="").first()
        budgets.estimate_send(estimate=document, sent_by=owner, contacts=[contact])
    sending = SentDocument.objects.latest("pk")
    return reverse(
        "accounts:document_link", args=[accounts.document_token(sending=sending, contact=contact)]
    )
