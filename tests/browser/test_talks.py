"""Issue 21 item 4 in a real browser: a village last in its township in two published bulletins
running shows a proposed 约谈 in the county's to-do; the county decides to hold it (with an opinion,
after a confirmation), records it with a follow-up date, and the follow-up shows in the township's to-do."""

import datetime

import pytest
from django.utils import timezone

from assessments import services
from assessments.models import Bulletin, Talk
from tests.browser.conftest import login, shot
from tests.browser.test_flows import world  # noqa: F401 (the fixture)
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _bulletin(county, quarter, villages, *, published):
    rows = [
        {
            "village_id": v.pk,
            "village": v.name,
            "township_id": v.township_id,
            "township": v.township.name,
            "rank_in_township": rank,
            "rank_in_county": rank,
        }
        for rank, v in enumerate(villages, start=1)
    ]
    return Bulletin.objects.create(
        county=county,
        year=2026,
        quarter=quarter,
        data={"targets": [{"target": "village_secretary", "rows": rows}], "months": []},
        published_at=timezone.now() if published else None,
    )


def test_a_village_last_twice_running_is_talked_to_and_followed_up(page, live_server, world):  # noqa: F811
    township = world["township"]
    first, second, last = world["villages"]
    county = township.county
    _bulletin(county, 1, [first, second, last], published=True)
    draft = _bulletin(county, 2, [second, first, last], published=False)
    services.bulletin_publish(actor=world["admin"], bulletin=draft)  # 石桥村 last in Q1 and Q2
    talk = Talk.objects.get()
    name = talk.person.name

    login(page, live_server, "county-b", TEST_PASSWORD)
    todo = page.locator("[data-todo=talks-proposed]")
    assert "约谈建议待决定" in todo.inner_text() and "1" in todo.inner_text()
    shot(page, "talk-county-todo")
    todo.click()
    page.wait_for_load_state("networkidle")
    page.click(f"a:text-is('{name}')")
    page.wait_for_load_state("networkidle")
    assert "季度通报连续排名末位" in page.content() and "连续 2 个季度乡镇内末位" in page.content()
    page.click("a[href$='/decide/']")
    page.wait_for_load_state("networkidle")
    page.check("input[name=decision][value=hold]")
    page.fill("#id_opinion", "同意约谈，由镇党委书记约谈。")
    page.click("text=下一步：核对")
    page.wait_for_load_state("networkidle")
    assert page.locator("#talk-confirm").is_visible()
    shot(page, "talk-decide-confirm")
    talk.refresh_from_db()
    assert talk.state == "proposed"  # nothing decided before the confirmation
    page.click("text=确认决定")
    page.wait_for_load_state("networkidle")
    assert "决定约谈（待记录）" in page.locator("#talk-state").inner_text()

    page.click("a[href$='/record/']")
    page.wait_for_load_state("networkidle")
    follow_up = timezone.localdate() + datetime.timedelta(days=20)
    page.fill("#id_talker", "柳河镇党委书记")
    page.fill("#id_content", "指出连续两个季度排名末位的原因，要求制定整改方案。")
    page.fill("#id_commitment", "一个月内拿出整改方案。")
    page.fill("#id_follow_up_on", follow_up.isoformat())
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert follow_up.isoformat() in page.locator("#talk-follow-up-on").inner_text()
    shot(page, "talk-detail")
    page.context.clear_cookies()

    login(page, live_server, "town-b", TEST_PASSWORD)
    item = page.locator("[data-todo=talks] [data-follow-up]")
    assert name in item.inner_text() and follow_up.isoformat() in item.inner_text()
    item.scroll_into_view_if_needed()
    shot(page, "talk-township-todo")
