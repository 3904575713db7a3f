from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from accounts import approvals, attachments

        from . import services
        from .models import CreativeReview, Project, StrategyBrief

        approvals.register(
            CreativeReview,
            superseded=services.creative_review_superseded,
            decided=services.creative_review_decided,
        )
        attachments.register(
            "brief",
            StrategyBrief,
            visible=lambda user: StrategyBrief.objects.filter(
                project__in=Project.objects.visible_to(user)
            ),
            editable=lambda user: StrategyBrief.objects.filter(
                project__in=Project.objects.editable_by(user)
            ),
            client=lambda brief: brief.project.client,
            url=lambda brief: brief.project.get_absolute_url(),
        )
        attachments.register(
            "review",
            CreativeReview,
            visible=lambda user: CreativeReview.objects.filter(
                task__project__in=Project.objects.visible_to(user)
            ),
            editable=lambda user: CreativeReview.objects.filter(
                task__project__in=Project.objects.editable_by(user)
            ),
            client=lambda review: review.task.project.client,
            url=lambda review: review.task.project.get_absolute_url(),
        )
