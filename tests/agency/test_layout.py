import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_desk_shows_the_name_role_and_sign_out(client, ae):
    client.force_login(ae)

    page = client.get(reverse("home")).text

    assert "Chen Jing" in page
    assert "Account executive" in page
    assert f'action="{reverse("teams:logout")}"' in page
    # htmx is loaded and sends the CSRF token with every request it makes.
    assert "/static/vendor/htmx/htmx.min." in page
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
    assert 'name="viewport"' in page


def test_an_ae_sees_no_administration_and_is_kept_out_of_it(client, ae):
    client.force_login(ae)

    assert reverse("admin:index") not in client.get(reverse("home")).text
    response = client.get(reverse("admin:index"), follow=True)
    assert "but are not authorized to access this page" in response.text
    assert client.get(reverse("admin:teams_user_changelist")).status_code == 302


def test_an_admin_manages_users_and_departments(client, admin_user):
    client.force_login(admin_user)

    assert reverse("admin:index") in client.get(reverse("home")).text
    assert client.get(reverse("admin:teams_user_changelist")).status_code == 200
    assert client.get(reverse("admin:teams_department_changelist")).status_code == 200
    response = client.post(
        reverse("admin:teams_user_add"),
        {
            "email": "new.ae@agency.example",
            "full_name": "New AE",
            "role": "ae",
            "usable_password": "true",
            "password1": "plum-orchard-lantern-42",
            "password2": "plum-orchard-lantern-42",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:teams_user_changelist")).status_code == 200


def test_every_admin_form_draws_its_widgets(client, admin_user):
    """The admin's own widgets (related-object links, date pickers) come with Django
    templates only, beside the portal's widgets drawn by Jinja2."""
    from django.contrib import admin

    client.force_login(admin_user)
    department = DepartmentFactory()
    pages = [
        reverse("admin:teams_user_change", args=[admin_user.pk]),
        reverse("admin:teams_department_change", args=[department.pk]),
    ]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        if model_admin.has_add_permission(_request_of(admin_user)):
            pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))

    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "<select" in response.text or "<input" in response.text, page


def _request_of(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_messages_are_shown_on_the_next_page(client, ae):
    client.force_login(ae)

    response = client.post(reverse("teams:preferences"), {"language": "zh-hans"}, follow=True)

    ae.refresh_from_db()
    assert ae.language == "zh-hans"
    # The confirmation is shown, in the language just chosen.
    assert 'class="alert alert-success' in response.text
    assert response.headers["Content-Language"] == "zh-hans"


def test_a_bad_language_choice_is_refused_next_to_the_field(client, ae):
    client.force_login(ae)

    response = client.post(reverse("teams:preferences"), {"language": "klingon"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert 'id="error_1_id_language"' in response.text
    ae.refresh_from_db()
    assert ae.language == ""


def test_every_role_gets_a_desk(client):
    for role in ["ae", "account_director", "finance", "staff", "admin"]:
        client.force_login(UserFactory(role=role))
        assert client.get(reverse("home")).status_code == 200


def test_the_admin_desk_is_the_menu_of_their_sections_in_two_queries(
    client, django_assert_num_queries
):
    """Administrators run the portal rather than a day of client work: their desk is the
    menu of their sections. The other desks have their counts pinned in test_query_counts
    and test_desks."""
    person = UserFactory(
        role="admin", department=DepartmentFactory(name="Operations", code="operations")
    )
    client.force_login(person)

    # The session and the user with their department.
    with django_assert_num_queries(2):
        response = client.get(reverse("home"))

    assert "Administrator · Operations" in response.text
