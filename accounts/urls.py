from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("clients/", views.client_list, name="client_list"),
    path("clients/export/<str:file_format>/", views.client_list_export, name="client_list_export"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", views.client_update, name="client_update"),
    path("clients/<int:pk>/team/", views.team_member_add, name="team_member_add"),
    path(
        "clients/<int:pk>/team/<int:member_pk>/remove/",
        views.team_member_remove,
        name="team_member_remove",
    ),
    path("clients/<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", views.contact_update, name="contact_update"),
    path("clients/<int:pk>/reports/new/", views.report_create, name="report_create"),
    path("clients/<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path(
        "meetings/export/<str:file_format>/",
        views.meeting_list_export,
        name="meeting_list_export",
    ),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_update, name="meeting_update"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/report/", views.meeting_report_create, name="meeting_report_create"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_update, name="report_update"),
    path("reports/<int:pk>/recap/", views.report_send_recap, name="report_send_recap"),
    path("recap/<str:token>/", views.recap_respond, name="recap_respond"),
    path("documents/<str:token>/", views.document_link, name="document_link"),
    path("documents/<str:token>/pdf/", views.document_link_pdf, name="document_link_pdf"),
    path(
        "documents/<str:token>/files/<int:pk>/",
        views.document_link_attachment,
        name="document_link_attachment",
    ),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<str:kind>/<int:pk>/", views.attachment_add, name="attachment_add"),
    path("clients/<int:pk>/proposals/new/", views.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/rounds/new/", views.round_open_next, name="round_open_next"),
    path("proposals/<int:pk>/rounds/<int:round_pk>/send/", views.round_send, name="round_send"),
    path(
        "proposals/<int:pk>/rounds/<int:round_pk>/status/",
        views.round_set_status,
        name="round_set_status",
    ),
    path(
        "proposals/<int:pk>/rounds/<int:round_pk>/hours/",
        views.round_log_hours,
        name="round_log_hours",
    ),
    path("reports/action-item-row/", views.action_item_row, name="action_item_row"),
    path("action-items/", views.my_action_items, name="my_action_items"),
    path(
        "action-items/export/<str:file_format>/",
        views.my_action_items_export,
        name="my_action_items_export",
    ),
    path("action-items/<int:pk>/done/", views.action_item_toggle, name="action_item_toggle"),
]
