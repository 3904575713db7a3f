"""Helpers for the services that write models, and the documents kept as sent."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.errors import Refused


def assign(instance, values: dict, allowed) -> None:
    """Sets the fields of `instance` that a service lets its callers change (`allowed`) from
    `values`, its keyword arguments; any other name in `values` is left alone, so a form's
    extra fields never reach the row."""
    for name in allowed:
        if name in values:
            setattr(instance, name, values[name])


def validate(instance, **kwargs) -> None:
    """The model's own checks (full_clean: field validators, choices, constraints) before a
    service saves it. The first problem is refused next to its field, in the words the
    model gives it (every constraint has a readable message), never as a 500."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        field, problems = next(iter(error.message_dict.items()))
        raise Refused(problems[0], field=None if field == NON_FIELD_ERRORS else field) from error


def validate_value(model, name: str, value) -> None:
    """One value checked by its model field's own validators before a service computes with
    it (a due date from an issue date, say), refused next to the field."""
    try:
        model._meta.get_field(name).clean(value, None)
    except ValidationError as error:
        raise Refused(error.messages[0], field=name) from error


def _sent_document_path(document, filename):
    # The name a document is kept under is the portal's own: a file name never becomes a path.
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class SentDocument(models.Model):
    """A document as the client received it: the PDF of one revision of an estimate, a
    change order or an invoice, kept as it was sent and never rendered again, with who sent
    it, when and to whom."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    document = GenericForeignKey("content_type", "object_id")
    revision = models.PositiveIntegerField(_("revision"))
    file = models.FileField(_("file"), upload_to=_sent_document_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    # Whom it went to, as [{"name": ..., "email": ...}]; none when it was sent outside the
    # portal and marked as sent.
    recipients = models.JSONField(_("recipients"), default=list, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("sent document")
        verbose_name_plural = _("sent documents")
        indexes = [models.Index(fields=["content_type", "object_id", "-sent_at"])]

    def __str__(self):
        return self.filename
