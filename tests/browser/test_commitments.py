"""Issue 20 (定·查·评) in a real browser: a township clerk enters a village's commitments with their
milestones, has them approved, records progress with a photo and finds the overdue milestone in
the to-do; the county records a mid-year 督查 finding with its 整改 deadline and exports the
ledger; a village login on a phone records a milestone's progress and the township approves it."""

import datetime
import struct
import time
import zlib

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cadres import services as cadres_services
from cadres.choices import CommitmentStatus, InspectionFinding, InspectionLevel, PostKind, ProgressStatus
from cadres.models import Commitment, Inspection, ProgressEntry
from tests import factories
from tests.browser.conftest import login, shot
from tests.browser.test_flows import world  # noqa: F401 (the fixture)
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tiny_png():
    """A valid 1×1 PNG (evidence is sniffed for its type, so the bytes must be a real image)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xc0\x20\x20"))
        + chunk(b"IEND", b"")
    )


def cadre(village, name):
    """A 村委委员 of ``village`` in office this year: who may answer for a commitment."""
    return factories.TenureFactory(
        village=village,
        post=PostKind.VILLAGE_MEMBER,
        person=factories.PersonFactory(township=village.township, village=village, name=name),
    ).person


def test_a_clerk_enters_commitments_records_progress_with_a_photo_and_finds_the_overdue_one(
    page,
    live_server,
    world,  # noqa: F811
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    today = timezone.localdate()
    year = today.year
    early, late, year_end = (
        today - datetime.timedelta(days=20),
        today - datetime.timedelta(days=10),
        today.replace(month=12, day=31),
    )
    assert early.year == late.year == year  # the overdue milestones fall inside the commitment's year
    lijia = world["villages"][0]
    committee = factories.PartyOrganizationFactory(township=world["township"], name="柳河镇党委")
    branch = factories.village_branch(lijia, "李家村党支部", committee)
    cadre(lijia, "李建国")
    # (title, focus, target (kind, quantity, unit), milestones [(title, due, quantity)]); 李建国 answers for each
    entered = [
        ("硬化村内道路", "industry", ("quantity", "3", "公里"), [("完成路基", early, "1.5"), ("全线硬化", year_end, "3")]),
        ("建设党群服务中心", "party_building", ("done", "", ""), [("完成选址和设计", late, ""), ("主体完工", year_end, "")]),
        ("整治村内坑塘", "livelihood", ("done", "", ""), [("完成清淤", year_end, "")]),
    ]  # fmt: skip

    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "town-b", TEST_PASSWORD)
    started = time.monotonic()
    for title, focus, (kind, quantity, unit), milestones in entered:
        page.goto(f"{live_server.url}/records/commitments/")
        page.click("text=录入承诺实事")
        page.wait_for_load_state("networkidle")
        page.select_option("#id_organization", label="柳河镇 · 李家村党支部")
        assert page.input_value("#id_year") == str(year)
        page.fill("#id_title", title)
        page.select_option("#id_focus", focus)
        page.select_option("#id_responsible", label="李建国（李家村）")
        page.fill("#id_plan", f"{title}：成立专班，倒排工期，按节点推进。")
        page.select_option("#id_target_kind", kind)
        page.fill("#id_target_quantity", quantity)
        page.fill("#id_target_unit", unit)
        for n, (milestone, due_on, milestone_quantity) in enumerate(milestones):
            page.fill(f"#id_m-{n}-title", milestone)
            page.fill(f"#id_m-{n}-due_on", due_on.isoformat())
            page.fill(f"#id_m-{n}-quantity", milestone_quantity)
        page.check("#id_submit")  # 保存后直接报乡镇党委审核
        if title == "硬化村内道路":
            shot(page, "commitment-form")
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "已保存。" in page.content() and "待审核" in page.locator("h1").inner_text()
        # The township 党委's 审核, after its confirmation page.
        page.click("main a:has-text('审核通过')")
        page.wait_for_load_state("networkidle")
        assert title in page.content()
        page.click("text=确认审核通过")
        page.wait_for_load_state("networkidle")
        assert "已审核通过。" in page.content() and "已审核" in page.locator("h1").inner_text()
    assert time.monotonic() - started < 300  # three commitments in under five minutes

    commitments = {c.title: c for c in Commitment.objects.filter(village=lijia, year=year)}
    assert set(commitments) == {title for title, *_rest in entered}
    for title, _focus, _target, milestones in entered:
        c = commitments[title]
        assert (c.status, c.organization, c.responsible.name) == (CommitmentStatus.APPROVED, branch, "李建国")
        assert (c.entered_by, c.approved_by) == (world["staff"], world["staff"])
        assert [(m.title, m.due_on) for m in c.milestones.order_by("due_on")] == [(m, d) for m, d, _q in milestones]
    road = commitments["硬化村内道路"]
    assert (road.target_kind, road.target_quantity, road.target_unit) == ("quantity", 3, "公里")
    assert road.milestones.get(title="完成路基").quantity == 1.5

    # Before any progress both past milestones are overdue in the to-do.
    page.goto(f"{live_server.url}/")
    to_do = page.locator("li.list-group-item", has_text="承诺实事逾期节点与整改")
    assert "完成路基" in to_do.inner_text() and "完成选址和设计" in to_do.inner_text()

    # Progress with a photo on the road: 1.5 km by the first milestone's due date meets it.
    photo = tmp_path / "路基施工.png"
    photo.write_bytes(tiny_png())
    page.goto(f"{live_server.url}/records/commitments/{road.pk}/")
    page.click("text=记录进展 »")
    page.wait_for_load_state("networkidle")
    page.select_option("#id_milestone", label=f"{early:%m-%d} 完成路基")
    page.fill("#id_on_date", early.isoformat())
    page.fill("#id_quantity", "1.5")
    page.fill("#id_note", "路基 1.5 公里完工，已压实")
    page.set_input_files("#id_evidence", str(photo))
    page.select_option("#id_evidence_kind", "photo")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "进展已记录。" in page.content()
    entry = ProgressEntry.objects.get(commitment=road)
    assert (entry.status, entry.recorded_by, entry.reviewed_by) == (
        ProgressStatus.APPROVED,  # the township's own entry counts at once
        world["staff"],
        world["staff"],
    )
    assert (entry.quantity, entry.on_date, entry.milestone.title) == (1.5, early, "完成路基")
    assert entry.evidence_kind == "photo" and entry.evidence.name.endswith(".png")
    ledger = page.locator(".card", has_text="查：台账").inner_text()
    assert "路基 1.5 公里完工，已压实" in ledger and "照片" in ledger and "已通过" in ledger
    milestones = page.locator(".card", has_text="节点（倒排工期）").inner_text()
    assert f"{early:%m-%d} 已达成" in milestones and "逾期" not in milestones
    # The photo is served back, through scoping, as the image it is.
    href = page.locator(".card", has_text="查：台账").locator("a:has-text('照片')").get_attribute("href")
    evidence = page.request.get(f"{live_server.url}{href}")
    assert evidence.status == 200 and evidence.body() == tiny_png()
    shot(page, "commitment-detail")

    # The overdue one is on the township's landing page; the met one is no longer.
    page.goto(f"{live_server.url}/")
    to_do = page.locator("li.list-group-item", has_text="承诺实事逾期节点与整改")
    text = to_do.inner_text()
    assert to_do.locator(".badge").inner_text() == "1"
    assert f"李家村“建设党群服务中心”节点“完成选址和设计”已逾期（{late:%m-%d} 到期）" in text
    assert "完成路基" not in text and "主体完工" not in text
    to_do.scroll_into_view_if_needed()
    shot(page, "township-to-do-commitments")
    page.click(f"text=节点“完成选址和设计”已逾期（{late:%m-%d} 到期）")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/records/commitments/{commitments['建设党群服务中心'].pk}/")
    assert "已逾期 10 天" in page.locator(".card", has_text="节点（倒排工期）").inner_text()


def test_the_county_records_a_mid_year_inspection_and_exports_the_ledger(
    page,
    live_server,
    world,  # noqa: F811
    tmp_path,
):
    today = timezone.localdate()
    year = today.year
    lijia, wangzhuang = world["villages"][:2]
    committee = factories.PartyOrganizationFactory(township=world["township"], name="柳河镇党委")
    branch = factories.village_branch(lijia, "李家村党支部", committee)
    other = factories.village_branch(wangzhuang, "王庄村党支部", committee)
    milestones = (("完成方案", datetime.date(year, 3, 31), None), ("完工验收", datetime.date(year, 12, 31), None))
    road = factories.commitment(branch, actor=world["staff"], year=year, title="硬化村内道路", milestones=milestones)
    theirs = factories.commitment(
        other, actor=world["staff"], year=year, title="王庄村新建文化广场", milestones=milestones
    )
    # Another finding in the ledger, on track: the filter leaves it out.
    cadres_services.inspection_record(
        actor=world["staff"], commitment=theirs, inspected_on=datetime.date(year, 7, 10), finding="on_track"
    )
    inspected_on, rectify_by = datetime.date(year, 7, 15), datetime.date(year, 8, 31)

    login(page, live_server, "county-b", TEST_PASSWORD)
    page.goto(f"{live_server.url}/records/commitments/{road.pk}/")
    page.click("text=记录督查 »")
    page.wait_for_load_state("networkidle")
    page.fill("#id_inspected_on", inspected_on.isoformat())
    page.select_option("#id_finding", "behind")
    page.fill("#id_note", "路基施工进度落后于倒排工期")
    page.click("main button[type=submit]")  # 滞后 without a 整改 requirement: refused in place
    page.wait_for_load_state("networkidle")
    assert (
        "督查结论为“滞后”时须填写整改要求。" in page.content()
        and not Inspection.objects.filter(commitment=road).exists()
    )
    page.fill("#id_rectification", "增加施工力量，8 月底前完成路基")
    page.fill("#id_rectify_by", rectify_by.isoformat())
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "督查结论已记录。" in page.content()
    inspection = Inspection.objects.get(commitment=road)
    assert (inspection.level, inspection.inspector, inspection.finding) == (
        InspectionLevel.COUNTY,
        world["admin"],
        InspectionFinding.BEHIND,
    )
    assert (inspection.inspected_on, inspection.rectify_by, inspection.closed_on) == (inspected_on, rectify_by, None)
    assert inspection.rectification == "增加施工力量，8 月底前完成路基"
    row = page.locator(".card", has_text="查：督查").locator("tbody tr").inner_text()
    assert "县级督查" in row and "滞后" in row and f"增加施工力量，8 月底前完成路基（{rectify_by.isoformat()}）" in row

    # The 督查台账, from the commitments list, filtered to what is behind.
    page.goto(f"{live_server.url}/records/commitments/")
    page.click("main a:has-text('督查台账')")
    page.wait_for_load_state("networkidle")
    assert page.locator("tbody tr").count() == 2
    page.select_option("#id_finding", "behind")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("networkidle")
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    listed = rows.first.inner_text()
    for text in ("李家村", "硬化村内道路", "县级督查", inspected_on.isoformat(), "滞后", rectify_by.isoformat()):
        assert text in listed, text
    assert "王庄村" not in page.locator("tbody").inner_text()
    shot(page, "inspection-ledger")

    with page.expect_download() as download_info:
        page.click("text=导出 Excel")
    saved = tmp_path / "inspections.xlsx"
    download_info.value.save_as(saved)
    sheet = load_workbook(saved)["督查台账"]
    header, *data = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert len(data) == 1  # the export is the filtered list
    exported = dict(zip(header, data[0], strict=True))
    assert exported["村（社区）"] == "李家村" and exported["承诺事项"] == "硬化村内道路"
    assert (exported["督查层级"], exported["督查结论"]) == ("县级督查", "滞后")
    assert exported["督查日期"] == inspected_on.isoformat() and exported["整改期限"] == rectify_by.isoformat()
    assert exported["整改要求"] == "增加施工力量，8 月底前完成路基" and not exported["销号日期"]


def test_a_village_login_records_progress_on_a_phone_and_the_township_approves_it(
    browser,
    page,
    live_server,
    world,  # noqa: F811
):
    today = timezone.localdate()
    year = today.year
    due = today - datetime.timedelta(days=5)
    assert due.year == year
    lijia, wangzhuang = world["villages"][:2]
    committee = factories.PartyOrganizationFactory(township=world["township"], name="柳河镇党委")
    branch = factories.village_branch(lijia, "李家村党支部", committee)
    other = factories.village_branch(wangzhuang, "王庄村党支部", committee)
    ours = factories.commitment(
        branch,
        actor=world["staff"],
        year=year,
        title="修缮村文化广场",
        milestones=(("完成设计", due, None), ("完工验收", datetime.date(year, 12, 31), None)),
    )
    design = ours.milestones.get(title="完成设计")
    theirs = factories.commitment(other, actor=world["staff"], year=year, title="王庄村新建文化广场")
    factories.village_staff(lijia, username="village-b", first_name="李家村党建专干")

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    phone = context.new_page()
    login(phone, live_server, "village-b", TEST_PASSWORD)
    assert phone.url.endswith("/village/")
    card = phone.locator("#village-commitments").inner_text()
    assert "修缮村文化广场" in card and "逾期 1 项" in card
    assert f"完成设计：{due.isoformat()} 到期，已逾期 5 天" in card
    assert "王庄村" not in phone.content()
    phone.click("#village-commitments >> text=记录进展")
    phone.wait_for_load_state("networkidle")
    phone.select_option("#id_milestone", label=f"{due:%m-%d} 完成设计")
    phone.fill("#id_percent", "100")
    phone.fill("#id_note", "设计方案已定稿，经村民代表会议通过")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 390
    phone.click("main button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert "进展已记录。" in phone.content()
    entry = ProgressEntry.objects.get(commitment=ours)
    assert (entry.status, entry.milestone, entry.percent, entry.reviewed_by) == (
        ProgressStatus.PENDING,
        design,
        100,
        None,
    )
    ledger = phone.locator(".card", has_text="查：台账").inner_text()
    assert "设计方案已定稿" in ledger and "待审核" in ledger
    # Pending counts for nothing: the milestone stays overdue until the township approves.
    assert "已逾期 5 天" in phone.locator(".card", has_text="节点（倒排工期）").inner_text()
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 390
    shot(phone, "village-progress-phone")
    phone.goto(f"{live_server.url}/village/")
    assert "1 条填报待乡镇审核" in phone.locator("#village-todo").inner_text()
    # Nothing of another village, whatever the address typed.
    assert phone.goto(f"{live_server.url}/records/commitments/{theirs.pk}/").status == 404
    assert phone.goto(f"{live_server.url}/records/commitments/{theirs.pk}/progress/").status == 404
    assert phone.goto(f"{live_server.url}/villages/{wangzhuang.pk}/commitments/").status == 404
    assert not ProgressEntry.objects.filter(commitment=theirs).exists()
    context.close()

    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "town-b", TEST_PASSWORD)
    page.goto(f"{live_server.url}/review/")
    queue = page.locator("[data-entry-kind=progress]")
    assert f"{today.isoformat()} 修缮村文化广场：设计方案已定稿，经村民代表会议通过" in queue.inner_text()
    assert "李家村党建专干" in queue.inner_text()
    shot(page, "review-queue")
    queue.locator("text=审核").click()
    page.wait_for_load_state("networkidle")
    assert "完成设计" in page.content() and "100%" in page.content()
    page.click("text=确认通过")
    page.wait_for_load_state("networkidle")
    assert "已审核通过。" in page.content()
    entry.refresh_from_db()
    assert (entry.status, entry.reviewed_by) == (ProgressStatus.APPROVED, world["staff"])
    # Approved, it meets the milestone: no longer overdue on the township's page.
    page.goto(f"{live_server.url}/records/commitments/{ours.pk}/")
    milestones = page.locator(".card", has_text="节点（倒排工期）").inner_text()
    assert f"{today:%m-%d} 已达成" in milestones and "逾期" not in milestones
