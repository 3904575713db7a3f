from django.contrib import admin
from django.contrib.auth.decorators import login_not_required, login_required
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from . import views

# One sign-in page for the whole portal: the admin sends people to it too.
admin.site.login = login_required(admin.site.login)
admin.site.site_header = _("AE Portal administration")
admin.site.site_title = _("AE Portal")
admin.site.index_title = _("Users, departments and settings")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("search/", views.search_results, name="search"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    # Browsers ask for it on every site, the admin's pages included.
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=lazy(static, str)("favicon.svg"))),
    ),
    path("auth/", include("teams.urls")),
    path("", include("accounts.urls")),
    path("", include("projects.urls")),
    path("", include("budgets.urls")),
    path("", include("billing.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]
