from django.urls import path

from . import views

app_name = "budgets"

urlpatterns = [
    path("clients/<int:pk>/spend-plans/new/", views.spend_plan_form, name="spend_plan_create"),
    path(
        "clients/<int:pk>/spend-plans/<int:plan_pk>/edit/",
        views.spend_plan_form,
        name="spend_plan_update",
    ),
    path("spend-plans/<int:pk>/", views.spend_plan_detail, name="spend_plan_detail"),
    path("spend-plans/<int:pk>/decide/", views.spend_plan_decide, name="spend_plan_decide"),
    path("budgets/review/", views.budget_review, name="budget_review"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/count/", views.approvals_count, name="approvals_count"),
    path("projects/<int:pk>/budget/", views.project_budget, name="project_budget"),
    path("projects/<int:pk>/budget/history/", views.budget_history, name="budget_history"),
    path("projects/<int:pk>/budget/new/", views.estimate_start, name="estimate_start"),
    path(
        "projects/<int:pk>/budget/<int:estimate_pk>/",
        views.estimate_update,
        name="estimate_update",
    ),
    path(
        "projects/<int:pk>/budget/<int:estimate_pk>/submit/",
        views.estimate_submit,
        name="estimate_submit",
    ),
    path(
        "projects/<int:pk>/budget/<int:estimate_pk>/review/",
        views.estimate_review,
        name="estimate_review",
    ),
    path(
        "projects/<int:pk>/budget/<int:estimate_pk>/pdf/",
        views.estimate_document,
        name="estimate_document",
    ),
    path(
        "projects/<int:pk>/budget/<int:estimate_pk>/send/",
        views.estimate_send,
        name="estimate_send",
    ),
    path(
        "projects/<int:pk>/change-orders/<int:order_pk>/send/",
        views.change_order_send,
        name="change_order_send",
    ),
    path(
        "projects/<int:pk>/change-orders/<int:order_pk>/approval/",
        views.change_order_approval,
        name="change_order_approval",
    ),
    path(
        "projects/<int:pk>/change-orders/<int:order_pk>/pdf/",
        views.change_order_document,
        name="change_order_document",
    ),
    path("costs/", views.cost_list, name="cost_list"),
    path("costs/export/<str:file_format>/", views.cost_list_export, name="cost_list_export"),
    path("projects/<int:pk>/costs/new/", views.cost_entry_create, name="cost_entry_create"),
    path(
        "projects/<int:pk>/costs/<int:cost_pk>/reverse/",
        views.cost_entry_reverse,
        name="cost_entry_reverse",
    ),
    path(
        "projects/<int:pk>/costs/<int:cost_pk>/decide/",
        views.cost_entry_decide,
        name="cost_entry_decide",
    ),
    path(
        "proposals/<int:pk>/change-order/",
        views.proposal_change_order,
        name="proposal_change_order",
    ),
    path(
        "projects/<int:pk>/change-orders/new/",
        views.change_order_create,
        name="change_order_create",
    ),
]
