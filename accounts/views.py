from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from teams import permissions

from . import services
from .forms import AccountTeamMemberForm, ClientFilterForm, ClientForm, ContactForm
from .models import AccountTeamMember, Client, Contact

CLIENTS_PER_PAGE = 25


def _visible_client(request, pk):
    return get_object_or_404(Client.objects.visible_to(request.user), pk=pk)


def _editable_client(request, pk):
    return get_object_or_404(Client.objects.editable_by(request.user), pk=pk)


def client_list(request):
    if not permissions.can_use_clients(request.user):
        raise Http404
    filters = ClientFilterForm(request.GET or None)
    clients = filters.filter(Client.objects.visible_to(request.user)).for_list()
    page = Paginator(clients, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/client_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "can_open": permissions.can_open_clients(request.user),
        },
    )


def client_create(request):
    if not permissions.can_open_clients(request.user):
        raise Http404
    form = ClientForm(request.POST or None, initial={"lead_ae": request.user})
    if request.method == "POST" and form.is_valid():
        client = services.client_create(created_by=request.user, **form.cleaned_data)
        messages.success(request, _("Client %(name)s opened.") % {"name": client.name})
        return redirect(client)
    return render(request, "accounts/client_form.html", {"form": form})


def client_detail(request, pk):
    client = _visible_client(request, pk)
    # Of the people who see a client, its team's AEs and the directors may edit it.
    can_edit = permissions.can_open_clients(request.user)
    members = client.memberships.select_related("user__department")
    return render(
        request,
        "accounts/client_detail.html",
        {
            "client": client,
            "can_edit": can_edit,
            "members": members,
            "contacts": client.contacts.all(),
            "team_form": AccountTeamMemberForm(client=client) if can_edit else None,
        },
    )


def client_update(request, pk):
    client = _editable_client(request, pk)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        services.client_update(client=client, updated_by=request.user, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect(client)
    return render(request, "accounts/client_form.html", {"form": form, "client": client})


def team_member_add(request, pk):
    client = _editable_client(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = AccountTeamMemberForm(request.POST, client=client)
    if form.is_valid():
        services.account_team_add(client=client, **form.cleaned_data)
        messages.success(
            request, _("%(name)s joined the team.") % {"name": form.cleaned_data["user"]}
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(client)


def team_member_remove(request, pk, member_pk):
    client = _editable_client(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    member = get_object_or_404(
        AccountTeamMember.objects.select_related("client"), pk=member_pk, client=client
    )
    try:
        services.account_team_remove(member=member)
    except services.CannotRemoveLead as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("%(name)s left the team.") % {"name": member.user})
    return redirect(client)


def contact_create(request, pk):
    client = _editable_client(request, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.contact_create(client=client, **form.cleaned_data)
        messages.success(request, _("Contact added."))
        return redirect(client)
    return render(request, "accounts/contact_form.html", {"form": form, "client": client})


def contact_update(request, pk):
    contact = get_object_or_404(
        Contact.objects.filter(client__in=Client.objects.editable_by(request.user)), pk=pk
    )
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        services.contact_update(contact=contact, **form.cleaned_data)
        messages.success(request, _("Contact saved."))
        return redirect(contact.client)
    return render(
        request,
        "accounts/contact_form.html",
        {"form": form, "client": contact.client, "contact": contact},
    )
