"""The one exception a service raises for a change the user should read about."""


class Refused(Exception):
    """A change the portal's rules do not allow, with the reason to show. `field` names the
    form field the reason belongs next to, where there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleEdit(Refused):
    """Someone else saved the row since it was opened for editing. `revision` is the one
    they left it at: a form that starts from it saves over their change knowingly."""

    def __init__(self, message: str, *, changed_by, revision: int):
        super().__init__(message % {"name": changed_by.full_name})
        self.changed_by = changed_by
        self.revision = revision


def check_revision(row, revision: int, message: str) -> None:
    """Refuses a save that started from an older `revision` of the locked `row` (which keeps
    `revision` and `updated_by`). `message` names who saved in between as %(name)s."""
    if row.revision != revision:
        raise StaleEdit(message, changed_by=row.updated_by, revision=row.revision)
