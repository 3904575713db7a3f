"""Finding and following in the browser: "/" opens the search from any page, and a list's
filters travel in its address to the export."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_money_flow import sign_in
from tests.factories import ClientFactory, ContactReportFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_slash_opens_the_search_and_two_chinese_characters_find_the_note(
    live_server, page, screenshot
):
    ae = UserFactory(role="ae", full_name="Chen Jing")
    nanshan = ClientFactory(name="Nanshan Tea", lead_ae=ae)
    ContactReportFactory(
        client=nanshan, discussion="南山茶想让三十岁以下的上班族喝上冷泡茶，去年的新品反响不错。"
    )
    sign_in(page, live_server, ae)
    page.wait_for_load_state()

    page.keyboard.press("/")
    expect(page.locator("#nav-search")).to_be_focused()
    page.keyboard.type("冷泡")
    page.keyboard.press("Enter")

    group = page.get_by_role("region", name="Contact reports")
    expect(group).to_contain_text("Nanshan Tea")
    expect(group.locator("mark")).to_have_text(["冷泡"])
    screenshot("search-chinese")
    # Typing "/" in a box types it, and does not jump to the search.
    page.get_by_label("Search", exact=True).fill("")
    page.get_by_label("Search", exact=True).press("/")
    expect(page.get_by_label("Search", exact=True)).to_have_value("/")
