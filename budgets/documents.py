"""The estimate and the change order as the client receives them, in PDF."""

from decimal import Decimal

from django.utils import timezone

from common.documents import render_pdf

from .models import Category, ChangeOrder, Estimate
from .services.money import working_budget


def estimate_pdf(estimate: Estimate) -> bytes:
    project = estimate.project
    order = Category.values
    lines = sorted(
        (line for line in estimate.lines.all() if line.amount),
        key=lambda line: order.index(line.category),
    )
    return render_pdf(
        "documents/estimate.html",
        {
            "estimate": estimate,
            "project": project,
            "client": project.client,
            "lines": lines,
            "total": sum((line.amount for line in lines), Decimal("0")),
            "dated": estimate.approved_at or estimate.updated_at or timezone.now(),
            "draft": estimate.status != Estimate.Status.APPROVED,
        },
        language=project.client.language,
    )


def change_order_number(order: ChangeOrder) -> int:
    """The change order's place among its project's, from 1."""
    return ChangeOrder.objects.filter(project_id=order.project_id, pk__lte=order.pk).count()


def change_order_pdf(order: ChangeOrder) -> bytes:
    """The deltas against the working budget they change: for an approved change order the
    budget the client approved it against (the estimate and the change orders approved
    before it), for one that waits the working budget as it stands."""
    project = order.project
    estimate = Estimate.objects.approved_for(project)
    before = working_budget(project, approved=estimate, against=order)
    changes = {line.category: line.delta for line in order.lines.all()}
    rows = [
        {
            "label": Category(category).label,
            "before": before[category],
            "change": changes.get(category, Decimal("0")),
            "after": before[category] + changes.get(category, Decimal("0")),
        }
        for category in Category.values
        if before[category] or category in changes
    ]
    return render_pdf(
        "documents/change_order.html",
        {
            "order": order,
            "number": change_order_number(order),
            "project": project,
            "client": project.client,
            "estimate": estimate,
            "rows": rows,
            "before": sum((row["before"] for row in rows), Decimal("0")),
            "change": sum((row["change"] for row in rows), Decimal("0")),
            "after": sum((row["after"] for row in rows), Decimal("0")),
        },
        language=project.client.language,
    )
