"""Six demo clients with their contacts and account teams. Safe to run again."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from teams.models import User

from . import services
from .models import AttendeeResponse, Client, ContactReport, Meeting

# name, industry, status, lead AE, payment terms, needs, difficulties
CLIENTS = [
    (
        "Qinghe Dairy",
        "Food and beverage",
        Client.Status.ACTIVE,
        "chen.jing@agency.example",
        60,
        "Launch a chilled yoghurt line for young families in tier-2 cities before Chinese New "
        "Year; keep the brand's farm-fresh promise.",
        "Every claim goes through the legal team at headquarters, which takes two weeks.",
    ),
    (
        "Xingtu Motors",
        "Automotive",
        Client.Status.ACTIVE,
        "li.na@agency.example",
        45,
        "Make the new compact EV the first choice of young urban professionals; test drives "
        "booked online.",
        "Dealers run their own local ads that contradict the national message.",
    ),
    (
        "Yunshan Technology",
        "Consumer electronics",
        Client.Status.ACTIVE,
        "chen.jing@agency.example",
        30,
        "Position the smart-home range as simple enough for parents to set up.",
        "Product dates slip, so launch plans move at short notice.",
    ),
    (
        "Yuexiang Travel",
        "Travel",
        Client.Status.PAUSED,
        "li.na@agency.example",
        30,
        "Win back outbound family travellers with packages that feel safe and simple.",
        "Budget frozen until the new fiscal year.",
    ),
    (
        "Nanshan Tea",
        "Beverages",
        Client.Status.PROSPECT,
        "chen.jing@agency.example",
        30,
        "A heritage tea brand that wants to reach office workers under 30.",
        "Has not worked with an agency before; decisions sit with the founder.",
    ),
    (
        "Jincheng Insurance",
        "Financial services",
        Client.Status.LOST,
        "li.na@agency.example",
        90,
        "Explain critical-illness cover in plain words.",
        "Moved the account to a network agency after a procurement review.",
    ),
]

CODES = {
    "Qinghe Dairy": "QINGHE",
    "Xingtu Motors": "XINGTU",
    "Yunshan Technology": "YUNSHAN",
    "Yuexiang Travel": "YUEXIANG",
    "Nanshan Tea": "NANSHAN",
    "Jincheng Insurance": "JINCHENG",
}

# Clients that read the agency's documents in Chinese.
DOCUMENTS_IN_CHINESE = {"Nanshan Tea"}

# client, name, title, email, phone, decision maker
CONTACTS = [
    (
        "Qinghe Dairy",
        "Gao Yan",
        "Marketing director",
        "gao.yan@qinghe.example",
        "+86 21 5555 0101",
        True,
    ),
    (
        "Qinghe Dairy",
        "Wu Ting",
        "Brand manager",
        "wu.ting@qinghe.example",
        "+86 21 5555 0102",
        False,
    ),
    (
        "Xingtu Motors",
        "Huang Bo",
        "Head of brand",
        "huang.bo@xingtu.example",
        "+86 10 5555 0201",
        True,
    ),
    ("Xingtu Motors", "Lin Xiao", "Digital marketing lead", "lin.xiao@xingtu.example", "", False),
    ("Yunshan Technology", "Ma Rui", "CMO", "ma.rui@yunshan.example", "+86 755 5555 0301", True),
    ("Yunshan Technology", "Deng Jie", "Product marketing", "deng.jie@yunshan.example", "", False),
    ("Yuexiang Travel", "Xu Lan", "Marketing manager", "xu.lan@yuexiang.example", "", True),
    ("Nanshan Tea", "Guo Ming", "Founder", "guo.ming@nanshan.example", "+86 571 5555 0501", True),
    ("Nanshan Tea", "王芳", "品牌经理", "wang.fang@nanshan.example", "", False),
    ("Jincheng Insurance", "Qian Hui", "Brand director", "qian.hui@jincheng.example", "", True),
]

# client, person, role on the account
TEAM = [
    ("Qinghe Dairy", "zhou.xin@agency.example", "Consumer research"),
    ("Qinghe Dairy", "zhao.min@agency.example", "Art director"),
    ("Qinghe Dairy", "sun.hao@agency.example", "Media planner"),
    ("Xingtu Motors", "zhao.min@agency.example", "Art director"),
    ("Xingtu Motors", "sun.hao@agency.example", "Media planner"),
    ("Xingtu Motors", "chen.jing@agency.example", "Back-up AE"),
    ("Yunshan Technology", "zhou.xin@agency.example", "Consumer research"),
]


# client, days ago, kind, discussion, decisions, feedback, action items (what, owner, due in days
# from the meeting, done?), what the first client attendee answered to the recap
REPORTS = [
    (
        "Qinghe Dairy",
        75,
        ContactReport.Kind.MEETING,
        "Kick-off for the chilled yoghurt launch. Gao Yan walked us through the sales targets "
        "for tier-2 cities and the retail calendar.",
        "Agency to come back with consumer insights and a first creative route.",
        "Wants a fresh, farm-to-table feel without looking premium-priced.",
        [
            ("Share the consumer research plan", "zhou.xin@agency.example", 7, True),
            ("Send last year's sales data by city", "chen.jing@agency.example", 5, True),
        ],
        ("confirmed", ""),
    ),
    (
        "Qinghe Dairy",
        40,
        ContactReport.Kind.PITCH,
        "Presented two creative routes: 'Morning on the farm' and 'Little spoons'.",
        "Client prefers 'Little spoons'; asked for a version with the grandparents in it.",
        "Route two feels warmer; legal worries about the health claim on the pack shot.",
        [
            ("Rework 'Little spoons' with grandparents", "zhao.min@agency.example", 10, True),
            (
                "Check the health claim with the client's legal team",
                "chen.jing@agency.example",
                14,
                False,
            ),
        ],
        ("confirmed", ""),
    ),
    (
        "Qinghe Dairy",
        6,
        ContactReport.Kind.CALL,
        "Weekly status call. Media plan for January reviewed line by line.",
        "Keep the OOH budget; move 10% from TV to short video.",
        "Happy with the pace; wants the final key visual before the sales conference.",
        [
            (
                "Update the media plan with the short-video shift",
                "sun.hao@agency.example",
                4,
                False,
            ),
            ("Book the sales-conference presentation slot", "chen.jing@agency.example", 12, False),
        ],
        None,
    ),
    (
        "Xingtu Motors",
        50,
        ContactReport.Kind.MEETING,
        "Briefing on the compact EV. Huang Bo shared the dealer network map and test-drive "
        "targets.",
        "Agency owns the national campaign; dealers get a local toolkit.",
        "Dealers must not run their own price messages during launch month.",
        [
            ("Draft the dealer toolkit outline", "li.na@agency.example", 10, True),
            ("Propose the online test-drive booking flow", "sun.hao@agency.example", 14, False),
        ],
        None,
    ),
    (
        "Xingtu Motors",
        3,
        ContactReport.Kind.EMAIL,
        "Lin Xiao sent comments on the launch film storyboard by email.",
        "Shorten the film to 30 seconds; keep the night-drive scene.",
        "Loves the night drive; the charging scene feels too technical.",
        [
            ("Cut a 30-second storyboard", "zhao.min@agency.example", 5, False),
        ],
        ("corrected", "We asked for 30 and 15 seconds, not only 30."),
    ),
    (
        "Yunshan Technology",
        20,
        ContactReport.Kind.MEETING,
        "Review of the 'Simple for parents' positioning with Ma Rui.",
        "Go ahead with the parent-child set-up videos.",
        "Product launch may slip two weeks; plan a flexible start date.",
        [
            (
                "Confirm the launch date with product marketing",
                "chen.jing@agency.example",
                3,
                False,
            ),
        ],
        None,
    ),
    (
        "Nanshan Tea",
        12,
        ContactReport.Kind.MEETING,
        "与创始人郭明和品牌经理王芳初次见面。南山茶想让三十岁以下的上班族喝上传统好茶，"
        "去年的冷泡茶新品在小红书上反响不错。",
        "代理商两周内提交比稿方案：冷泡茶的上班族沟通策略和一条创意方向。",
        "希望保留老字号的质感，但不要显得老气。",
        [("整理冷泡茶的消费者洞察", "chen.jing@agency.example", 10, False)],
        None,
    ),
]


# client, title, kind, rounds: (days ago presented, final status, client's reasons,
# hours by person)
PROPOSALS = [
    (
        "Qinghe Dairy",
        "Chilled yoghurt launch: creative routes",
        "creative",
        [
            (
                60,
                "revision_requested",
                "Too corporate; the client wants real families, not models.",
                [("zhao.min@agency.example", "24"), ("chen.jing@agency.example", "6")],
            ),
            (
                45,
                "revision_requested",
                "Grandparents missing; the pack shot hides the farm.",
                [("zhao.min@agency.example", "18"), ("chen.jing@agency.example", "4")],
            ),
            (
                30,
                "revision_requested",
                "Legal cannot clear the 'no additives' claim.",
                [("zhao.min@agency.example", "16"), ("zhou.xin@agency.example", "6")],
            ),
            (
                12,
                "presented",
                "",
                [("zhao.min@agency.example", "12"), ("chen.jing@agency.example", "3")],
            ),
        ],
    ),
    (
        "Xingtu Motors",
        "Compact EV launch: media plan",
        "media_plan",
        [(35, "accepted", "", [("sun.hao@agency.example", "20"), ("li.na@agency.example", "5")])],
    ),
    (
        "Yunshan Technology",
        "Smart home: positioning strategy",
        "strategy",
        [(None, "internal_review", "", [("zhou.xin@agency.example", "10")])],
    ),
]

STEPS = {
    "internal_review": ["internal_review"],
    "presented": ["internal_review", "presented"],
    "accepted": ["internal_review", "presented", "accepted"],
    "revision_requested": ["internal_review", "presented", "revision_requested"],
}


def sample_pdf(text: str) -> bytes:
    """A one-page PDF that reads `text` (Latin letters): a stand-in for a deck."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    content = f"BT /F1 24 Tf 72 760 Td ({escaped}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return pdf


@transaction.atomic
def seed() -> list[Client]:
    people = {user.email: user for user in User.objects.all()}
    director = people["zhang.wei@agency.example"]
    clients = {}
    for name, industry, status, lead, terms, needs, difficulties in CLIENTS:
        client = Client.objects.filter(name=name).first()
        if client is None:
            client = services.client_create(
                created_by=people[lead],
                name=name,
                code=CODES[name],
                industry=industry,
                status=status,
                lead_ae=people[lead],
                account_director=director,
                payment_terms_days=terms,
                language="zh-hans" if name in DOCUMENTS_IN_CHINESE else "en",
                needs=needs,
                difficulties=difficulties,
            )
            for client_name, *contact in CONTACTS:
                if client_name == name:
                    contact_name, title, email, phone, decides = contact
                    services.contact_create(
                        client=client,
                        by=people[lead],
                        name=contact_name,
                        title=title,
                        email=email,
                        phone=phone,
                        is_decision_maker=decides,
                        # Invoices go to the day-to-day contact, not the decision maker.
                        receives_invoices=not decides,
                    )
            for client_name, email, role in TEAM:
                if client_name == name:
                    services.account_team_add(
                        client=client, user=people[email], role_on_account=role, by=director
                    )
        clients[name] = client
    _seed_reports(clients, people)
    _seed_proposals(clients, people)
    _seed_meetings(clients, people)
    return list(clients.values())


# client, days from today (negative: past), hour, kind, where or how, agency attendees, agenda
MEETINGS = [
    (
        "Qinghe Dairy",
        -1,
        14,
        Meeting.Kind.MEETING,
        "Qinghe Dairy HQ, 3F meeting room",
        ["zhao.min@agency.example"],
        "Review of the key visual options for the chilled yoghurt launch.",
    ),
    (
        "Xingtu Motors",
        0,
        16,
        Meeting.Kind.CALL,
        "Tencent Meeting 123 456 789",
        ["sun.hao@agency.example"],
        "Media flight for the EV launch: the Douyin and WeChat split.",
    ),
    (
        "Qinghe Dairy",
        3,
        10,
        Meeting.Kind.MEETING,
        "Agency, room Lotus",
        ["zhao.min@agency.example", "sun.hao@agency.example"],
        "Monthly status: burn, next quarter's plan, open action items.",
    ),
]


def _seed_meetings(clients, people) -> None:
    today = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    for name, days, hour, kind, place, attendees, agenda in MEETINGS:
        client = clients[name]
        if client.meetings.filter(agenda=agenda).exists():
            continue
        services.meeting_schedule(
            client=client,
            organiser=client.lead_ae,
            starts_at=today.replace(hour=hour) + timedelta(days=days),
            minutes=60,
            kind=kind,
            place=place,
            agenda=agenda,
            client_attendees=client.contacts.all()[:2],
            staff_attendees=[client.lead_ae, *(people[email] for email in attendees)],
        )


def _seed_proposals(clients, people) -> None:
    today = timezone.localdate()
    for name, title, kind, rounds in PROPOSALS:
        client = clients[name]
        if client.proposals.filter(title=title).exists():
            continue
        proposal = services.proposal_create(
            client=client, created_by=client.lead_ae, title=title, kind=kind
        )
        round_ = proposal.rounds.get()
        for index, (days_ago, status, reasons, hours) in enumerate(rounds):
            if index:
                round_ = services.proposal_round_open_next(
                    proposal=proposal, opened_by=client.lead_ae
                )
            for email, spent in hours:
                services.proposal_round_log_hours(
                    round_=round_,
                    person=people[email],
                    hours=Decimal(spent),
                    logged_by=client.lead_ae,
                )
            services.attachment_add(
                kind="round",
                owner=round_,
                upload=ContentFile(
                    sample_pdf(f"{title}, round {round_.number}"),
                    name=f"{title} - round {round_.number}.pdf",
                ),
                uploaded_by=client.lead_ae,
            )
            for step in STEPS[status]:
                round_ = services.proposal_round_set_status(
                    round_=round_,
                    status=step,
                    changed_by=client.lead_ae,
                    presented_on=today - timedelta(days=days_ago) if days_ago else None,
                    revision_reasons=reasons,
                )


def _seed_reports(clients, people) -> None:
    now = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    for name, days_ago, kind, discussion, decisions, feedback, items, answer in REPORTS:
        client = clients[name]
        occurred_at = now - timedelta(days=days_ago)
        if client.contact_reports.filter(discussion=discussion).exists():
            continue
        report = services.contact_report_create(
            client=client,
            author=client.lead_ae,
            occurred_at=occurred_at,
            kind=kind,
            discussion=discussion,
            decisions=decisions,
            client_feedback=feedback,
            client_attendees=client.contacts.all(),
            staff_attendees=[client.lead_ae],
            action_items=[
                {
                    "description": what,
                    "owner": people[owner],
                    "due_on": (occurred_at + timedelta(days=due_in)).date(),
                }
                for what, owner, due_in, _done in items
            ],
        )
        for action, (*_, done) in zip(report.action_items.order_by("pk"), items, strict=True):
            if done:
                services.action_item_set_done(item=action, done=True, by=client.lead_ae)
        if answer is not None:
            response = services.attendee_respond(
                report=report,
                contact=client.contacts.first(),
                answer=answer[0],
                correction=answer[1],
            )
            # Demo history: the client answered the day after the meeting.
            AttendeeResponse.objects.filter(pk=response.pk).update(
                answered_at=occurred_at + timedelta(days=1)
            )
        # Demo history: the report was logged on the day of the meeting.
        ContactReport.objects.filter(pk=report.pk).update(
            created_at=occurred_at + timedelta(hours=2)
        )
