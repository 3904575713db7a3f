"""What the tests know of the portal's routes as a whole."""

from django.urls import resolve

# Actions that only take a POST (Django's require_POST): no link leads to them, and they
# answer any GET with 405, whatever the object, so the answer tells an outsider nothing.
POST_ONLY = {
    "accounts:action_item_toggle",
    "accounts:attachment_add",
    "teams:calendar_link_replace",
    "accounts:report_send_recap",
    "accounts:round_open_next",
    "accounts:round_set_status",
    "accounts:team_member_remove",
    "billing:collection_note_add",
    "billing:invoice_cancel",
    "budgets:cost_entry_decide",
    "budgets:estimate_start",
    "budgets:estimate_submit",
    "billing:invoice_mark_sent",
    "billing:invoice_write_off",
    "billing:payment_record",
    "budgets:proposal_change_order",
    "budgets:spend_plan_decide",
    "notifications:open",
    "notifications:read",
    "notifications:read_all",
    "projects:brief_start",
    "projects:brief_submit",
}


def outsider_get_status(url: str) -> int:
    """What a GET of a page outside one's scope answers: 404, or 405 for a POST-only action."""
    return 405 if resolve(url).view_name in POST_ONLY else 404
