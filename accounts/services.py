from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.models import User

from .models import AccountTeamMember, ActionItem, Client, Contact, ContactReport

CLIENT_FIELDS = {
    "name",
    "industry",
    "status",
    "lead_ae",
    "account_director",
    "payment_terms_days",
    "currency",
    "needs",
    "difficulties",
    "allowed_proposal_rounds",
}


def _keep_leads_on_the_team(client: Client) -> None:
    """The lead AE and the account director are always on the account team."""
    AccountTeamMember.objects.get_or_create(
        client=client, user=client.lead_ae, defaults={"role_on_account": _("Lead AE")}
    )
    if client.account_director_id:
        AccountTeamMember.objects.get_or_create(
            client=client,
            user=client.account_director,
            defaults={"role_on_account": _("Account director")},
        )


@transaction.atomic
def client_create(*, created_by: User, **fields) -> Client:
    client = Client(**{k: v for k, v in fields.items() if k in CLIENT_FIELDS})
    client.full_clean()
    client.save()
    _keep_leads_on_the_team(client)
    return client


@transaction.atomic
def client_update(*, client: Client, updated_by: User, **fields) -> Client:
    for name, value in fields.items():
        if name in CLIENT_FIELDS:
            setattr(client, name, value)
    client.full_clean()
    client.save()
    _keep_leads_on_the_team(client)
    return client


@transaction.atomic
def account_team_add(*, client: Client, user: User, role_on_account: str) -> AccountTeamMember:
    member, created = AccountTeamMember.objects.get_or_create(
        client=client, user=user, defaults={"role_on_account": role_on_account}
    )
    if not created:
        member.role_on_account = role_on_account
        member.save(update_fields=["role_on_account"])
    return member


class CannotRemoveLead(Exception):
    pass


@transaction.atomic
def account_team_remove(*, member: AccountTeamMember) -> None:
    client = member.client
    if member.user_id in (client.lead_ae_id, client.account_director_id):
        raise CannotRemoveLead(
            _("The lead AE and the account director stay on the team; change them first.")
        )
    member.delete()


@transaction.atomic
def contact_create(*, client: Client, **fields) -> Contact:
    contact = Contact(client=client, **fields)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, **fields) -> Contact:
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.full_clean()
    contact.save()
    return contact


class ReportLocked(Exception):
    pass


def _save_action_items(report: ContactReport, action_items: list[dict]) -> None:
    for item in action_items:
        existing = item.get("id")
        if existing is not None and existing.report_id != report.pk:
            raise ValueError("That action item belongs to another report.")
        if item.get("delete"):
            if existing is not None:
                existing.delete()
            continue
        target = existing or ActionItem(report=report)
        target.description = item["description"]
        target.owner = item["owner"]
        target.due_on = item["due_on"]
        target.full_clean()
        target.save()


@transaction.atomic
def contact_report_create(
    *,
    client: Client,
    author: User,
    client_attendees,
    staff_attendees,
    action_items: list[dict],
    **fields,
) -> ContactReport:
    report = ContactReport(client=client, author=author, **fields)
    report.full_clean()
    report.save()
    report.client_attendees.set(client_attendees)
    report.staff_attendees.set(staff_attendees)
    _save_action_items(report, action_items)
    return report


@transaction.atomic
def contact_report_update(
    *,
    report: ContactReport,
    editor: User,
    client_attendees,
    staff_attendees,
    action_items: list[dict],
    **fields,
) -> ContactReport:
    # Locked against a concurrent edit while the window is checked and the items change.
    editable = ContactReport.objects.editable_by(editor).select_for_update(of=("self",))
    if not editable.filter(pk=report.pk).exists():
        raise ReportLocked(_("This report can no longer be edited."))
    for name, value in fields.items():
        setattr(report, name, value)
    report.full_clean()
    report.save()
    report.client_attendees.set(client_attendees)
    report.staff_attendees.set(staff_attendees)
    _save_action_items(report, action_items)
    return report


@transaction.atomic
def action_item_set_done(*, item: ActionItem, done: bool, by: User) -> ActionItem:
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    if done and item.done_at is None:
        item.done_at = timezone.now()
    elif not done:
        item.done_at = None
    item.save(update_fields=["done_at"])
    return item
