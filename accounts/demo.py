"""Six demo clients with their contacts and account teams. Safe to run again."""

from django.db import transaction

from teams.models import User

from . import services
from .models import Client

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
                industry=industry,
                status=status,
                lead_ae=people[lead],
                account_director=director,
                payment_terms_days=terms,
                needs=needs,
                difficulties=difficulties,
            )
            for client_name, *contact in CONTACTS:
                if client_name == name:
                    contact_name, title, email, phone, decides = contact
                    services.contact_create(
                        client=client,
                        name=contact_name,
                        title=title,
                        email=email,
                        phone=phone,
                        is_decision_maker=decides,
                    )
            for client_name, email, role in TEAM:
                if client_name == name:
                    services.account_team_add(
                        client=client, user=people[email], role_on_account=role
                    )
        clients[name] = client
    return list(clients.values())
