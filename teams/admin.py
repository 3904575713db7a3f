from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from .forms import UserChangeForm, UserCreationForm
from .models import Department, User

# Roles decide what people may do; Django's groups would be a second, unused way.
admin.site.unregister(Group)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "name_zh_hans", "code"]
    search_fields = ["name", "name_zh_hans", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ["full_name", "email", "role", "department", "is_active"]
    list_filter = ["role", "department", "is_active"]
    list_select_related = ["department"]
    search_fields = ["full_name", "email"]
    ordering = ["full_name"]
    filter_horizontal = []
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "department", "role", "language"]}),
        (_("Rates"), {"fields": ["cost_rate", "bill_rate"]}),
        (_("Access"), {"fields": ["is_active", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "full_name",
                    "department",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
