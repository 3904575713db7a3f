"""Helpers every app's views use."""

from django.http import HttpResponseNotAllowed


def post_only(request):
    """The 405 answer for a request that is not a POST, or None. Called after the object is
    looked up, so that a page outside the reader's scope is a 404 whatever the method."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def keep_typed_after_stale_edit(form, refusal):
    """Shows a stale-edit refusal and moves the form on to the revision that was saved, so
    the editor's next save, after checking, goes through with what they typed."""
    form.add_error(None, str(refusal))
    form.data = form.data.copy()
    form.data["revision"] = refusal.revision
