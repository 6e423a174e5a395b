"""Signing a year's annual ratings (审定) is a deliberate act: the summary first, then an opinion
and a confirmation, recorded; a change made after the summary was shown refuses the signature."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.choices import Grade, Method, PeriodKind, Target
from assessments.demo import create_scheme
from assessments.models import AnnualRating, Indicator, RatingSignOff, Score, ScoreItem
from tests import factories
from townships.models import AuditEvent

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture
def ratings(township):
    """Five secretaries: 2 优秀 (one of them chosen by the county at a tie), 2 称职, 1 基本称职."""
    made = []
    for name, grade, total, decided in [
        ("赵一", Grade.EXCELLENT, "951.00", False),
        ("钱二", Grade.EXCELLENT, "940.00", True),
        ("孙三", Grade.COMPETENT, "940.00", True),
        ("李四", Grade.COMPETENT, "880.00", False),
        ("周五", Grade.BASIC, "700.00", False),
    ]:
        village = factories.VillageFactory(township=township, name=f"{name}村")
        person = factories.PersonFactory(township=township, village=village, name=name)
        made.append(
            AnnualRating.objects.create(
                person=person,
                village=village,
                township=township,
                year=YEAR,
                daily=Decimal(total),
                total=Decimal(total),
                grade=grade,
                reason="并列于优秀名额边界，县委组织部决定" if decided else "按得分定等",
                decided_by_county=decided,
                rank_in_county=len(made) + 1,
            )
        )
    return made


def sign_page(client, year=YEAR):
    return client.get(reverse("rating-sign", args=[year]))


def test_the_list_shows_each_waiting_year_once(client, admin_user, ratings, township):
    # Another year with two ratings: two lines in the banner, one per year, whatever the number of ratings.
    for rating in ratings[:2]:
        AnnualRating.objects.create(
            person=rating.person,
            village=rating.village,
            township=township,
            year=YEAR - 1,
            daily=800,
            total=800,
            grade=Grade.COMPETENT,
            reason="x",
        )
    client.force_login(admin_user)
    body = client.get(reverse("rating-list")).content.decode()
    assert body.count(reverse("rating-sign", args=[YEAR])) == 1
    assert body.count(reverse("rating-sign", args=[YEAR - 1])) == 1
    assert "2025 年度：5 名书记的评定等次待审定" in body
    assert "2024 年度：2 名书记的评定等次待审定" in body


def test_the_summary_shows_counts_the_excellent_list_and_what_was_changed_by_hand(
    client, admin_user, ratings, county, township
):
    # 李四's May score had a computed item overridden by hand; a manual item (人工评分) does not count.
    scheme = create_scheme(county=county, year=YEAR)
    computed = Indicator.objects.filter(scheme=scheme).exclude(method=Method.MANUAL).exclude(parent=None).first()
    manual = Indicator.objects.filter(scheme=scheme, method=Method.MANUAL).first()
    score = Score.objects.create(
        target=Target.VILLAGE_SECRETARY,
        village=ratings[3].village,
        person=ratings[3].person,
        township=township,
        scheme=scheme,
        period_kind=PeriodKind.MONTH,
        year=YEAR,
        period=5,
        total=880,
        computed_at="2025-06-01T00:00Z",
    )
    ScoreItem.objects.create(score=score, indicator=computed, points=10, explanation="", override_points=5)
    ScoreItem.objects.create(score=score, indicator=manual, points=0, explanation="", override_points=20)
    client.force_login(admin_user)
    page = sign_page(client)
    assert page.status_code == 200
    assert dict(page.context["grades"]) == {"优秀": 2, "称职": 2, "基本称职": 1, "不称职": 0}
    assert [r.person.name for r in page.context["excellent"]] == ["赵一", "钱二"]
    assert [(r.person.name, n) for r, n in page.context["changed"]] == [("钱二", 0), ("孙三", 0), ("李四", 1)]
    assert "本年度月度得分中有 1 项计算得分经人工调整" in page.content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"opinion": "同意", "confirm": ""}, "我已核对以上内容"),
        ({"opinion": "  ", "confirm": "1"}, "请填写审定意见"),
    ],
)
def test_without_confirmation_or_opinion_nothing_is_signed(client, admin_user, ratings, data, message):
    client.force_login(admin_user)
    digest = sign_page(client).context["digest"]
    response = client.post(reverse("rating-sign", args=[YEAR]), {**data, "digest": digest})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AnnualRating.objects.filter(signed_off_by__isnull=False).exists()
    assert not RatingSignOff.objects.exists()


def test_a_change_after_the_summary_was_shown_refuses_the_signature(client, admin_user, ratings):
    client.force_login(admin_user)
    digest = sign_page(client).context["digest"]
    AnnualRating.objects.filter(pk=ratings[3].pk).update(grade=Grade.EXCELLENT)  # someone changed a grade
    response = client.post(reverse("rating-sign", args=[YEAR]), {"opinion": "同意", "confirm": "1", "digest": digest})
    assert "发生了变化" in response.content.decode()
    assert not AnnualRating.objects.filter(signed_off_by__isnull=False).exists()


def test_signing_records_who_when_the_opinion_and_the_counts(client, admin_user, ratings):
    admin_user.first_name = "组织部管理员"
    admin_user.save()
    client.force_login(admin_user)
    digest = sign_page(client).context["digest"]
    response = client.post(
        reverse("rating-sign", args=[YEAR]), {"opinion": "经部务会研究，同意。", "confirm": "1", "digest": digest}
    )
    assert response["Location"] == reverse("rating-list")
    assert AnnualRating.objects.filter(signed_off_by=admin_user).count() == 5
    signed = RatingSignOff.objects.get()
    assert (signed.year, signed.signed_by, signed.opinion) == (YEAR, admin_user, "经部务会研究，同意。")
    assert signed.counts == {"excellent": 2, "competent": 2, "basic": 1, "incompetent": 0}
    event = AuditEvent.objects.get(action="approve", detail__annual_ratings=YEAR)
    assert event.detail["opinion"] == "经部务会研究，同意。" and event.detail["signed"] == 5
    body = client.get(reverse("rating-list")).content.decode()
    assert "2025 年度评定已由 组织部管理员" in body and "经部务会研究，同意。" in body
    assert sign_page(client).status_code == 404  # nothing left to sign


def test_a_pending_tie_blocks_signing(client, admin_user, ratings):
    AnnualRating.objects.filter(pk=ratings[1].pk).update(tie_pending=True)
    client.force_login(admin_user)
    page = sign_page(client)
    assert "须先在年度评定页决定" in page.content.decode()
    response = client.post(
        reverse("rating-sign", args=[YEAR]), {"opinion": "同意", "confirm": "1", "digest": page.context["digest"]}
    )
    assert "并列" in response.content.decode()
    assert not RatingSignOff.objects.exists()


@pytest.mark.parametrize("who", ["viewer_user", "staff_user"])
def test_only_the_county_administrator_signs(client, request, ratings, who):
    client.force_login(request.getfixturevalue(who))
    assert sign_page(client).status_code == 403
    assert client.post(reverse("rating-sign", args=[YEAR]), {"opinion": "x", "confirm": "1"}).status_code == 403


def test_a_year_out_of_range_or_without_ratings_is_404(client, admin_user, ratings):
    client.force_login(admin_user)
    assert sign_page(client, 2019).status_code == 404
    assert sign_page(client, 9999).status_code == 404
