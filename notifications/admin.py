from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Notification


class EmailState(admin.SimpleListFilter):
    title = _("email")
    parameter_name = "email"

    def lookups(self, request, model_admin):
        return [
            ("set_aside", _("Set aside after failing")),
            ("failing", _("Failed, to be tried again")),
            ("waiting", _("Waiting to be sent")),
            ("sent", _("Sent")),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "set_aside":
                return queryset.filter(email_set_aside_at__isnull=False)
            case "failing":
                return queryset.filter(email_pending=True, email_tries__gt=0)
            case "waiting":
                return queryset.filter(email_pending=True)
            case "sent":
                return queryset.filter(emailed_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Where an admin finds the emails the mail server would not take, reads why, and
    sends them again once the cause (a person's address, say) is fixed."""

    list_display = ["title", "recipient", "kind", "created_at", "emailed_at", "email_tries"]
    list_filter = [EmailState, "kind"]
    list_select_related = ["recipient"]
    search_fields = ["title", "recipient__full_name", "recipient__email"]
    date_hierarchy = "created_at"
    actions = ["try_again"]
    fields = [
        "recipient",
        "kind",
        "title",
        "body",
        "link",
        "created_at",
        "read_at",
        "email_pending",
        "emailed_at",
        "email_tries",
        "email_retry_at",
        "email_error",
        "email_set_aside_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the email again"))
    def try_again(self, request, queryset):
        count = 0
        for notification in queryset.filter(emailed_at__isnull=True):
            services.email_try_again(notification=notification)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d email will be sent on the next sweep.",
                "%(count)d emails will be sent on the next sweep.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
