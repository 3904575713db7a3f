"""The demo agency's departments and people. Safe to run again: what exists is kept."""

from decimal import Decimal

from django.db import transaction

from .models import Department, User
from .roles import Role

DEMO_PASSWORD = "demo-portal-2026"

DEPARTMENTS = [
    ("account-service", "Account service", "客户服务部"),
    ("strategy", "Strategy and planning", "策略企划部"),
    ("research", "Research", "调研部"),
    ("creative", "Creative", "创意部"),
    ("media", "Media", "媒介部"),
    ("production", "Production", "制作部"),
    ("finance", "Finance", "财务部"),
    ("traffic", "Traffic", "流程管理部"),
]

# email, full name, role, department code, cost rate, bill rate
PEOPLE = [
    ("admin@agency.example", "Wang Lei", Role.ADMIN, None, "0", "0"),
    ("chen.jing@agency.example", "Chen Jing", Role.AE, "account-service", "220", "650"),
    ("li.na@agency.example", "Li Na", Role.AE, "account-service", "200", "600"),
    (
        "zhang.wei@agency.example",
        "Zhang Wei",
        Role.ACCOUNT_DIRECTOR,
        "account-service",
        "380",
        "1100",
    ),
    ("liu.yang@agency.example", "Liu Yang", Role.FINANCE, "finance", "180", "0"),
    ("zhao.min@agency.example", "Zhao Min", Role.STAFF, "creative", "260", "800"),
    ("sun.hao@agency.example", "Sun Hao", Role.STAFF, "media", "210", "650"),
    ("zhou.xin@agency.example", "Zhou Xin", Role.STAFF, "research", "190", "580"),
]


@transaction.atomic
def seed() -> list[User]:
    departments = {}
    for code, name, name_zh_hans in DEPARTMENTS:
        departments[code], _ = Department.objects.update_or_create(
            code=code, defaults={"name": name, "name_zh_hans": name_zh_hans}
        )
    people = []
    for email, full_name, role, department_code, cost_rate, bill_rate in PEOPLE:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                DEMO_PASSWORD,
                full_name=full_name,
                role=role,
                department=departments.get(department_code),
                cost_rate=Decimal(cost_rate),
                bill_rate=Decimal(bill_rate),
            )
        people.append(user)
    return people
