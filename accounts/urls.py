from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.client_list, name="client_list"),
    path("new/", views.client_create, name="client_create"),
    path("<int:pk>/", views.client_detail, name="client_detail"),
    path("<int:pk>/edit/", views.client_update, name="client_update"),
    path("<int:pk>/team/", views.team_member_add, name="team_member_add"),
    path(
        "<int:pk>/team/<int:member_pk>/remove/",
        views.team_member_remove,
        name="team_member_remove",
    ),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", views.contact_update, name="contact_update"),
]
