"""A village secretary on a phone (issue 20 item 7): records a meeting on a 390 px screen, sees nothing
of the other villages, and the township approves the meeting."""

import datetime

import pytest
from django.utils import timezone

from cadres.models import Meeting
from tests import factories
from tests.browser.conftest import login, shot
from tests.browser.test_flows import world  # noqa: F401 (the fixture)
from tests.factories import TEST_PASSWORD
from townships.choices import EntryStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_village_secretary_records_a_meeting_on_a_phone_and_the_township_approves_it(
    browser,
    page,
    live_server,
    world,  # noqa: F811
):
    lijia, wangzhuang = world["villages"][:2]
    committee = factories.PartyOrganizationFactory(township=world["township"], name="柳河镇党委")
    branch = factories.village_branch(lijia, "李家村党支部", committee)
    other_branch = factories.village_branch(wangzhuang, "王庄村党支部", committee)
    for _ in range(5):
        factories.PartyMemberFactory(organization=branch)
    theirs = factories.MeetingFactory(organization=other_branch, topic="王庄村的支委会")
    factories.village_staff(lijia, username="village-b", first_name="李家村党建专干")

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    phone = context.new_page()
    login(phone, live_server, "village-b", TEST_PASSWORD)
    assert phone.url.endswith("/village/")
    assert "本村工作台" in phone.content() and "王庄村" not in phone.content()
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 390
    shot(phone, "village-home-phone")

    phone.click("text=记录会议 >> nth=-1")
    phone.wait_for_load_state("networkidle")
    options = phone.locator("#id_organization option").all_inner_texts()
    assert any("李家村党支部" in o for o in options) and not any("王庄村" in o for o in options)
    held_on = timezone.localdate() - datetime.timedelta(days=1)
    phone.select_option("#id_organization", label=next(o for o in options if "李家村党支部" in o))
    phone.select_option("#id_kind", "party_day")
    phone.fill("#id_held_on", held_on.isoformat())
    phone.fill("#id_topic", "学习党章主题党日")
    phone.fill("#id_entitled", "5")
    phone.fill("#id_present", "4")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 390
    shot(phone, "village-meeting-form-phone")
    phone.click("main button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert "待乡镇审核" in phone.content()
    meeting = Meeting.objects.get(topic="学习党章主题党日")
    assert meeting.status == EntryStatus.PENDING
    shot(phone, "village-home-pending-phone")
    # Nothing of another village, whatever the address typed.
    assert phone.goto(f"{live_server.url}/records/meetings/{theirs.pk}/").status == 404
    assert phone.goto(f"{live_server.url}/villages/{wangzhuang.pk}/").status == 404
    assert phone.goto(f"{live_server.url}/records/meetings/").status == 404
    context.close()

    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "town-b", TEST_PASSWORD)
    assert "村级填报待审核" in page.content()
    page.goto(f"{live_server.url}/review/")
    assert "学习党章主题党日" in page.content()
    shot(page, "village-entries-queue")
    page.locator("[data-entry-kind=meeting]").locator("a:has-text('审核')").click()
    page.wait_for_load_state("networkidle")
    page.click("text=确认通过")
    page.wait_for_load_state("networkidle")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.reviewed_by) == (EntryStatus.APPROVED, world["staff"])
    assert "已审核通过" in page.content()
