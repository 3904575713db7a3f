from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from accounts import approvals

        from . import services
        from .models import CreativeReview

        approvals.register(
            CreativeReview,
            superseded=services.creative_review_superseded,
            decided=services.creative_review_decided,
        )
