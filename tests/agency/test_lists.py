"""Every list page: its filters and order in the URL, the export of exactly what it shows,
its scope, and bad filters answered next to the field."""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Client
from budgets import services as budgets
from budgets.forms import CostFilterForm
from budgets.models import CostEntry
from common.forms import ListFilterForm
from common.paging import CappedPaginator
from tests.factories import (
    ActionItemFactory,
    ClientFactory,
    ContactReportFactory,
    InvoiceFactory,
    MeetingFactory,
    ProjectFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class ListPage:
    name: str  # the list's URL name; its export is name + "_export"
    key: object  # what identifies a row shown, as the export's first column writes it
    query: dict  # a filter that keeps some of the rows
    kept: str  # the fixture's row the filter keeps, by the key of `made`

    @property
    def export(self):
        return self.name + "_export"


LISTS = [
    ListPage("accounts:client_list", lambda c: c.name, {"q": "qinghe"}, "client"),
    ListPage("projects:project_list", lambda p: p.job_number, {"late": "on"}, "late_project"),
    ListPage("projects:my_tasks", lambda t: t.title, {"overdue": "on"}, "late_task"),
    ListPage(
        "budgets:cost_list", lambda c: c.incurred_on.isoformat(), {"category": "media"}, "media"
    ),
    ListPage("accounts:my_action_items", lambda i: i.description, {"overdue": "on"}, "late_item"),
    ListPage(
        "accounts:meeting_list",
        lambda m: timezone.localtime(m.starts_at).strftime("%Y-%m-%d %H:%M:%S"),
        {"status": "unreported"},
        "held_meeting",
    ),
    ListPage(
        "billing:invoice_list",
        lambda i: i.number,
        {"status": "draft"},
        "draft_invoice",
    ),
]


@pytest.fixture
def made(clock):
    """An AE's account, Qinghe Dairy, with a row of each list, a late or past one among
    them; and another AE's account, Xingtu Motors, with the same."""
    rows = {}
    finance = UserFactory(role="finance")
    for name in ["Qinghe Dairy", "Xingtu Motors"]:
        account = ClientFactory(name=name)
        ae = account.lead_ae
        late = ProjectFactory(
            client=account,
            name=f"{name} spring launch",
            start_date=clock.today - dt.timedelta(days=90),
            deadline=clock.today - dt.timedelta(days=1),
        )
        on_time = ProjectFactory(client=account, name=f"{name} autumn launch")
        late_task = TaskFactory(
            project=late,
            assignee=ae,
            title=f"{name} key visual",
            due_on=clock.today - dt.timedelta(days=1),
        )
        TaskFactory(project=on_time, assignee=ae, title=f"{name} media plan")
        for category, day in [("media", 3), ("production", 1)]:
            budgets.cost_entry_create(
                project=on_time,
                entered_by=ae,
                category=category,
                incurred_on=clock.today - dt.timedelta(days=day),
                kind="vendor",
                vendor=f"{name} printer",
                amount=Decimal("1200.50"),
            )
        report = ContactReportFactory(client=account)
        late_item = ActionItemFactory(
            report=report,
            description=f"{name}: send the revised plan",
            due_on=clock.today - dt.timedelta(days=1),
        )
        ActionItemFactory(report=report, description=f"{name}: book the studio")
        held = MeetingFactory(client=account, starts_at=timezone.now() - dt.timedelta(days=1))
        MeetingFactory(client=account, starts_at=timezone.now() + dt.timedelta(days=1))
        draft = InvoiceFactory(client=account, created_by=finance, sent=False)
        InvoiceFactory(client=account, created_by=finance, sent=True)
        rows[name] = {
            "ae": ae,
            "client": account,
            "late_project": late,
            "late_task": late_task,
            "media": account.projects.get(pk=on_time.pk).cost_entries.get(category="media"),
            "late_item": late_item,
            "held_meeting": held,
            "draft_invoice": draft,
        }
    return rows["Qinghe Dairy"]


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _rows_without_totals(rows):
    return [row for row in rows[1:] if row[0] not in ("Total",)]


@pytest.mark.parametrize("page", LISTS, ids=lambda page: page.name)
def test_a_filter_in_the_url_shows_and_exports_exactly_those_rows(client, made, page):
    client.force_login(made["ae"])

    shown = client.get(reverse(page.name), page.query)

    assert [page.key(row) for row in shown.context["page"]] == [page.key(made[page.kept])]
    exported = _csv(client.get(reverse(page.export, args=["csv"]), page.query))
    csv_rows = _rows_without_totals(exported)
    assert [row[0] for row in csv_rows] == [page.key(made[page.kept])]
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse(page.export, args=["xlsx"]), page.query).content)
    )
    sheet = list(workbook.active.iter_rows(values_only=True))
    assert len([row for row in sheet[1:] if row[0] != "Total"]) == 1
    # The paging links and the export links carry the filter.
    for key, value in page.query.items():
        assert f"{key}={value}" in shown.context["query"]
        assert f"?{key}={value}" in shown.text


@pytest.mark.parametrize("page", LISTS, ids=lambda page: page.name)
def test_a_list_and_its_export_hold_only_the_users_own_accounts(client, made, page):
    client.force_login(made["ae"])

    shown = client.get(reverse(page.name))
    exported = client.get(reverse(page.export, args=["csv"])).content.decode("utf-8-sig")

    assert len(shown.context["page"]) >= 1
    assert "Xingtu" not in shown.text
    assert "Xingtu" not in exported
    searched = client.get(reverse(page.name), {"q": "Xingtu"})
    assert len(searched.context["page"]) == 0


BAD_VALUES = {
    # (A control character in the address is a 400 before any page: test_tasks.py.)
    "CharField": ["x" * 10_000],
    "DateField": ["0001-01-01", "9999-12-31", "2026-02-30"],
    "ChoiceField": ["password", "x" * 10_000],
    "ModelChoiceField": ["99999999999999", "1e5"],
    "BooleanField": [],
}


@pytest.mark.parametrize("page", LISTS, ids=lambda page: page.name)
def test_a_bad_filter_is_refused_beside_its_field_and_the_rest_still_applies(client, made, page):
    client.force_login(made["ae"])
    fields = client.get(reverse(page.name)).context["filters"].fields

    for name, field in fields.items():
        for value in BAD_VALUES[type(field).__name__]:
            query = {**page.query, name: value} if name not in page.query else {name: value}
            response = client.get(reverse(page.name), query)
            assert response.status_code == 200, (name, value)
            assert response.context["filters"].errors[name], (name, value)
            assert 'class="invalid-feedback d-block"' in response.text
            if name not in page.query:
                kept = [page.key(row) for row in response.context["page"]]
                assert kept == [page.key(made[page.kept])], (name, value)
            export = client.get(reverse(page.export, args=["xlsx"]), query)
            assert export.status_code == 200, (name, value)


def test_a_date_range_that_ends_before_it_starts_is_refused(client, made):
    client.force_login(made["ae"])

    response = client.get(
        reverse("budgets:cost_list"), {"incurred_from": "2026-11-20", "incurred_to": "2026-11-01"}
    )

    assert response.context["filters"].errors["incurred_to"] == [
        "Choose a day on or after the first one."
    ]


def test_the_order_is_in_the_url_and_kept_while_paging(client, made, clock):
    ae = made["ae"]
    for day in range(60):
        budgets.cost_entry_create(
            project=made["late_project"],
            entered_by=ae,
            category="production",
            incurred_on=clock.today - dt.timedelta(days=day + 10),
            kind="vendor",
            vendor="Printer",
            amount=Decimal(day + 1),
        )
    client.force_login(ae)

    first = client.get(reverse("budgets:cost_list"), {"sort": "-amount"})
    second = client.get(reverse("budgets:cost_list"), {"sort": "-amount", "page": 2})
    oldest = client.get(reverse("budgets:cost_list"), {"sort": "incurred"})

    amounts = [c.amount for c in first.context["page"]] + [c.amount for c in second.context["page"]]
    assert amounts == sorted(amounts, reverse=True)
    assert len(amounts) == 62
    assert "sort=-amount&amp;page=2" in first.text
    days = [c.incurred_on for c in oldest.context["page"]]
    assert days == sorted(days)
    assert days[0] == clock.today - dt.timedelta(days=69)


def test_the_directors_see_every_account_in_the_lists(client, made):
    director = UserFactory(role="account_director")
    client.force_login(director)

    costs = client.get(reverse("budgets:cost_list"))
    clients = client.get(reverse("accounts:client_list"), {"sort": "name"})

    assert {c.project.client.name for c in costs.context["page"]} == {
        "Qinghe Dairy",
        "Xingtu Motors",
    }
    assert [c.name for c in clients.context["page"]] == ["Qinghe Dairy", "Xingtu Motors"]


def test_a_client_among_too_many_to_list_shows_by_name_with_a_link_to_drop_it(
    client, made, monkeypatch
):
    monkeypatch.setattr(ListFilterForm, "LONGEST_CHOICE", 1)
    director = UserFactory(role="account_director")
    client.force_login(director)
    qinghe = made["client"]

    unfiltered = client.get(reverse("projects:project_list"))
    filtered = client.get(reverse("projects:project_list"), {"client": qinghe.pk, "late": "on"})

    # No list of every client: the choice comes from a link, such as a client page's.
    assert 'name="client"' not in unfiltered.text
    assert [p.pk for p in filtered.context["page"]] == [made["late_project"].pk]
    assert "Client: <strong>Qinghe Dairy</strong>" in filtered.text
    assert 'href="?late=on"' in filtered.text  # any client, still late


def test_a_list_longer_than_the_cap_says_so(client, made, monkeypatch):
    director = UserFactory(role="account_director")
    client.force_login(director)

    costs = CostEntry.objects.count()

    monkeypatch.setattr(CappedPaginator, "cap", costs)
    in_full = client.get(reverse("budgets:cost_list"))
    monkeypatch.setattr(CappedPaginator, "cap", costs - 1)
    capped = client.get(reverse("budgets:cost_list"))

    assert not in_full.context["page"].paginator.capped
    assert f"{costs} found" in in_full.text
    assert capped.context["page"].paginator.capped
    assert f"More than {costs - 1} found: add a filter to narrow them" in capped.text


def test_a_long_list_counts_its_rows_with_the_thousands_marked():
    page = Paginator(range(12_345), 25).page(2)

    for language, expected in [
        ("en", "Page 2 of 494 · 12,345 in all"),
        ("zh-hans", "第 2 页，共 494 页 · 共 12,345 个"),
    ]:
        with translation.override(language):
            assert expected in render_to_string("partials/pagination.html", {"page": page})


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("-incurred", "cost_list_order"),
        ("incurred", "cost_list_order"),
        ("-amount", "cost_list_largest"),
    ],
)
def test_every_order_of_the_cost_list_pages_through_an_index(sort, index):
    """Hundreds of thousands of costs: an order no index keeps sorts them all for each page."""
    form = CostFilterForm({"sort": sort, "category": "media"}, clients=Client.objects.all())
    page = form.filter(CostEntry.objects.all())[:25]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan
