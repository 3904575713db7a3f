from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path(
        "projects/export/<str:file_format>/",
        views.project_list_export,
        name="project_list_export",
    ),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_update, name="project_update"),
    path("projects/<int:pk>/stage/", views.project_move_stage, name="project_move_stage"),
    path("projects/<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("projects/<int:pk>/strategy/new/", views.brief_start, name="brief_start"),
    path("projects/<int:pk>/strategy/<int:brief_pk>/", views.brief_update, name="brief_update"),
    path(
        "projects/<int:pk>/strategy/<int:brief_pk>/submit/",
        views.brief_submit,
        name="brief_submit",
    ),
    path(
        "projects/<int:pk>/strategy/<int:brief_pk>/review/",
        views.brief_review,
        name="brief_review",
    ),
    path("projects/<int:pk>/revisions/", views.revision_request_log, name="revision_request_log"),
    path(
        "projects/<int:pk>/reviews/<int:review_pk>/send/",
        views.creative_review_send,
        name="creative_review_send",
    ),
    path("tasks/<int:pk>/edit/", views.task_update, name="task_update"),
    path("tasks/<int:pk>/review/", views.task_review, name="task_review"),
    path("tasks/<int:pk>/status/", views.task_set_status, name="task_set_status"),
    path("tasks/<int:pk>/handoff/", views.task_handoff_note, name="task_handoff_note"),
    path("my-tasks/", views.my_tasks, name="my_tasks"),
    path("my-tasks/export/<str:file_format>/", views.my_tasks_export, name="my_tasks_export"),
    path("traffic/", views.board, name="board"),
]
