"""Helpers every app's views use."""


def keep_typed_after_stale_edit(form, refusal):
    """Shows a stale-edit refusal and moves the form on to the revision that was saved, so
    the editor's next save, after checking, goes through with what they typed."""
    form.add_error(None, str(refusal))
    form.data = form.data.copy()
    form.data["revision"] = refusal.revision


def show_refusal(form, refusal):
    """Puts a service's refusal next to the field it names, or above the form."""
    field = refusal.field if refusal.field in form.fields else None
    form.add_error(field, str(refusal))
