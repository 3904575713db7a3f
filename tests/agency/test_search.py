"""The search box: English and Chinese, scoped like the pages, grouped, best first, marked."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import CLIENT_SEARCHED, Client, ContactReport
from agency.search import KINDS, SHOWN
from common import search
from tests.factories import (
    ClientFactory,
    ContactFactory,
    ContactReportFactory,
    InvoiceFactory,
    ProjectFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts():
    """清河乳业 with a Chinese contact and notes, led by one AE; Xingtu Motors, led by
    another, with words in common."""
    finance = UserFactory(role="finance")
    qinghe = ClientFactory(name="清河乳业", code="QINGHE")
    ContactFactory(client=qinghe, name="王芳", title="品牌经理", email="wang.fang@qinghe.example")
    ContactReportFactory(
        client=qinghe,
        discussion="客户希望冷泡茶新品在春节前上市，预算比去年增加百分之十。",
        decisions="Agree the key visual before the sales conference.",
    )
    ProjectFactory(client=qinghe, name="冷泡茶上市")
    ProposalFactory(client=qinghe, title="Spring launch: creative routes")
    InvoiceFactory(client=qinghe, created_by=finance, fapiao_number="04412345")
    xingtu = ClientFactory(name="Xingtu Motors", code="XINGTU")
    ContactFactory(client=xingtu, name="王磊", title="Head of brand")
    ContactReportFactory(client=xingtu, discussion="新品冷泡咖啡的试驾活动。Key visual agreed.")
    ProjectFactory(client=xingtu, name="Compact EV launch")
    return qinghe, xingtu, finance


def _found(client, query):
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    return {
        group.kind: [str(hit.title) for hit in group.hits] for group in response.context["groups"]
    }


def test_two_chinese_characters_find_a_name_a_note_and_a_job(client, accounts):
    qinghe, _xingtu, _finance = accounts
    client.force_login(qinghe.lead_ae)

    assert _found(client, "乳业") == {"clients": ["清河<mark>乳业</mark>"]}
    assert _found(client, "王芳") == {"contacts": ["<mark>王芳</mark>"]}
    found = _found(client, "春节")
    assert list(found) == ["reports"]
    assert _found(client, "冷泡")["projects"] == [
        f"{qinghe.projects.get().job_number} <mark>冷泡</mark>茶上市"
    ]
    # The note shows about the words found, marked.
    response = client.get(reverse("search"), {"q": "春节前上市"})
    snippet = str(response.context["groups"][0].hits[0].snippet)
    assert "<mark>春节前上市</mark>" in snippet


def test_english_words_match_whatever_their_case_and_all_must_be_found(client, accounts):
    qinghe, _xingtu, _finance = accounts
    client.force_login(qinghe.lead_ae)
    job = qinghe.projects.get().job_number

    assert _found(client, "qinghe")["projects"] == [f"<mark>QINGHE</mark>{job[6:]} 冷泡茶上市"]
    assert _found(client, "SPRING creative") == {
        "proposals": ["<mark>Spring</mark> launch: <mark>creative</mark> routes"]
    }
    assert _found(client, "spring nowhere") == {}
    assert list(_found(client, "key visual")) == ["reports"]
    assert _found(client, job[-8:])["projects"] == [f"QINGHE-<mark>{job[-8:]}</mark> 冷泡茶上市"]


def test_finance_finds_an_invoice_by_its_number_and_its_fapiao_number(client, accounts):
    qinghe, _xingtu, finance = accounts
    client.force_login(finance)
    number = qinghe.invoices.get().number

    assert _found(client, "04412345")["invoices"] == [f"{number} · <mark>04412345</mark>"]
    assert _found(client, number)["invoices"][0].startswith(f"<mark>{number}</mark>")


def test_an_ae_never_finds_another_accounts_client_contact_note_or_job(client, accounts):
    qinghe, _xingtu, _finance = accounts
    client.force_login(qinghe.lead_ae)

    assert _found(client, "Xingtu") == {}
    assert _found(client, "王磊") == {}
    assert _found(client, "咖啡") == {}
    assert _found(client, "Compact") == {}
    # A word both accounts hold finds only one's own.
    assert len(_found(client, "冷泡")["reports"]) == 1


def test_department_staff_find_no_invoice_and_directors_find_every_account(client, accounts):
    qinghe, _xingtu, _finance = accounts
    designer = UserFactory(role="staff")
    client.force_login(designer)
    assert _found(client, qinghe.invoices.get().number) == {}

    client.force_login(UserFactory(role="account_director"))
    assert len(_found(client, "冷泡")["reports"]) == 2


def test_the_best_match_comes_first(client):
    ae = UserFactory(role="ae")
    for name in ["Big Tea House", "Tea Garden", "Tea"]:
        ClientFactory(name=name, lead_ae=ae)
    client.force_login(ae)

    assert _found(client, "tea")["clients"] == [
        "<mark>Tea</mark>",
        "<mark>Tea</mark> Garden",
        "Big <mark>Tea</mark> House",
    ]


def test_what_cannot_be_looked_up_is_said_next_to_the_box(client, accounts):
    qinghe, _xingtu, _finance = accounts
    client.force_login(qinghe.lead_ae)

    for query in ["茶", "--", "x" * 10_000]:
        response = client.get(reverse("search"), {"q": query})
        assert response.status_code == 200
        assert response.context["form"].errors["q"], query
        assert response.context["groups"] == []
        assert 'class="invalid-feedback d-block"' in response.text
    # A control character in the address is answered before any page.
    assert client.get(reverse("search"), {"q": "清河\x00"}).status_code == 400
    assert client.get(reverse("search")).context["groups"] == []


def test_a_search_costs_the_same_queries_whatever_it_finds(client, accounts):
    qinghe, _xingtu, _finance = accounts
    for n in range(20):
        ContactReportFactory(client=qinghe, discussion=f"第{n}次冷泡茶会议")
    client.force_login(qinghe.lead_ae)

    counts = []
    for query in ["冷泡", "nothing-at-all"]:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("search"), {"q": query})
        counts.append(len(queries))

    # session, user; then one query for every kind and its clients' names, however many
    # rows it finds
    assert counts == [3, 3]


def test_the_searches_use_their_index(accounts):
    """The query's terms are the indexes' expressions: were they to drift apart, every
    search would read whole tables."""
    director = UserFactory(role="account_director")
    sources = [kind.source(director) for kind in KINDS]
    sql, params = search.query(sources, ["冷泡"], SHOWN + 1)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in [
        "client_search",
        "contact_search",
        "project_search",
        "contact_report_search",
        "proposal_search",
        "invoice_search",
    ]:
        assert index in plan, plan


@pytest.mark.parametrize(
    ("text", "query", "found"),
    [
        ("清河乳业", "河乳", True),
        ("清河乳业", "乳", False),  # a lone character has no term
        ("Li Na", "li", True),
        ("Lina", "li", False),  # two letters find the whole word only
        ("ÉCOLE", "école", True),
        ("QINGHE-2026-001", "2026-001", True),
        ("QINGHE-2026-001", "2026-002", False),
        ("新品冷泡茶", "冷泡 新品", True),
    ],
)
def test_the_index_terms_and_the_words_agree(text, query, found):
    named = ClientFactory(name=text)
    named_only = search.Source(
        Client.objects.filter(pk=named.pk).values("id", *CLIENT_SEARCHED), CLIENT_SEARCHED, ("-id",)
    )
    [hits] = search.first_found([named_only], search.words(query), 1)
    assert bool(hits) is found


@pytest.mark.parametrize(
    "text",
    ["清河乳业 QINGHE-2026-001", "新品冷泡茶，春节前上市", "Li Na ÉCOLE straße", "a 乳 bc 12", ""],
)
def test_the_terms_cut_in_python_are_the_indexs_terms(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT portal_search_terms(%s)", [text])
        assert search.terms(text) == sorted(cursor.fetchone()[0])


def test_the_newest_notes_come_first_and_older_ones_are_still_found(client, accounts, monkeypatch):
    """Notes holding the terms of a phrase but not the phrase (春节, 节前, 前上 and 上市 apart)
    fill the first notes checked: the search reads on and finds the older one that holds it."""
    qinghe, _xingtu, _finance = accounts
    monkeypatch.setattr(search, "CHECKED_FIRST", 3)
    for _ in range(4):
        ContactReportFactory(client=qinghe, discussion="春节 节前 前上 上市")
    client.force_login(qinghe.lead_ae)

    assert len(_found(client, "春节前上市")["reports"]) == 1

    for n in range(9):
        ContactReportFactory(client=qinghe, discussion=f"第{n}次：春节前上市")
    notes = ContactReport.objects.filter(discussion__contains="春节前上市").order_by(
        "-occurred_at", "-pk"
    )
    found = client.get(reverse("search"), {"q": "春节前上市"}).context["groups"][0]
    assert [hit.url for hit in found.hits] == [note.get_absolute_url() for note in notes[:8]]
    assert found.more


def test_words_common_in_the_newest_notes_find_the_newest_of_them(client, accounts):
    """The newest notes are read first: when enough of them hold the words, those are the
    newest notes holding them, in order, without reading older ones."""
    qinghe, _xingtu, _finance = accounts
    for n in range(12):
        ContactReportFactory(client=qinghe, discussion=f"第{n}次：Key visual round {n}")
        ContactReportFactory(client=qinghe, discussion=f"第{n}次：media plan")
    client.force_login(qinghe.lead_ae)

    found = client.get(reverse("search"), {"q": "visual round"}).context["groups"][0]

    notes = ContactReport.objects.filter(discussion__contains="visual round").order_by(
        "-occurred_at", "-pk"
    )
    assert [hit.url for hit in found.hits] == [note.get_absolute_url() for note in notes[:8]]
    assert found.more


def test_a_report_logged_now_is_found_at_once(client, accounts):
    qinghe, _xingtu, _finance = accounts
    client.force_login(qinghe.lead_ae)
    assert _found(client, "直播带货") == {}

    ContactReportFactory(client=qinghe, discussion="下个月试一次直播带货。")

    assert list(_found(client, "直播带货")) == ["reports"]
