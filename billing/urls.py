from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("collections/", views.collections, name="collections"),
    path(
        "collections/aging.<str:file_format>",
        views.collections_export,
        name="collections_export",
    ),
    path("exchange-rates/", views.exchange_rates, name="exchange_rates"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path(
        "invoices/export/<str:file_format>/",
        views.invoice_list_export,
        name="invoice_list_export",
    ),
    path("invoices/new/", views.invoice_form, name="invoice_create"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/edit/", views.invoice_form, name="invoice_update"),
    path("invoices/<int:pk>/write-off/", views.invoice_write_off, name="invoice_write_off"),
    path("invoices/<int:pk>/pdf/", views.invoice_document, name="invoice_document"),
    path("invoices/<int:pk>/history/", views.invoice_history, name="invoice_history"),
    path("invoices/<int:pk>/send/", views.invoice_send, name="invoice_send"),
    path("invoices/<int:pk>/mark-sent/", views.invoice_mark_sent, name="invoice_mark_sent"),
    path("invoices/<int:pk>/cancel/", views.invoice_cancel, name="invoice_cancel"),
    path("invoices/<int:pk>/payments/", views.payment_record, name="payment_record"),
    path(
        "invoices/<int:pk>/payments/<int:payment_pk>/reverse/",
        views.payment_reverse,
        name="payment_reverse",
    ),
    path("invoices/<int:pk>/notes/", views.collection_note_add, name="collection_note_add"),
]
