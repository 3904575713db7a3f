import datetime as dt
from decimal import Decimal

import factory
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
