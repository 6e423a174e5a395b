"""The demo county's 约谈 and 整改台账: the proposals its published bulletins and last year's rating
give, a few of them decided, held and followed up, and a few 整改 items (one overdue)."""

import datetime

from django.utils import timezone

from cadres.choices import PostKind
from cadres.models import Tenure

from .choices import RectificationStatus, TalkDecision, TalkState
from .models import Bulletin, RectificationItem, Talk
from .services.talks import talks_apply

SAID = "指出该村近期考核排名靠后、信访问题突出等问题，要求提高认识、拿出整改措施，按期整改到位。"
PROMISED = "认真反思，一个月内制定整改方案，每月向乡镇党委报告整改进展。"


def demo_talks(*, rng, county, today):
    for year, quarter in (
        Bulletin.objects.filter(county=county, published_at__isnull=False)
        .order_by("year", "quarter")
        .values_list("year", "quarter")
    ):
        talks_apply(county_id=county.pk, year=year, quarter=quarter)
    proposed = list(Talk.objects.filter(township__county=county, state=TalkState.PROPOSED).order_by("period", "pk"))
    now = timezone.now()
    # Older proposals have been dealt with: held and followed up, held and awaiting the follow-up
    # (one of them due), dismissed; the latest ones still wait for a decision.
    plan = [TalkState.CLOSED, TalkState.HELD, TalkState.HELD, TalkState.DISMISSED, TalkState.SCHEDULED]
    for talk, state in zip(proposed, plan, strict=False):
        held_on = today - datetime.timedelta(days=rng.randint(20, 60))
        talk.decided_at = now - datetime.timedelta(days=70)
        if state == TalkState.DISMISSED:
            talk.decision, talk.opinion = TalkDecision.DISMISS, "经核实，排名靠后系客观原因所致，已提醒注意。"
        else:
            talk.decision, talk.opinion = TalkDecision.HOLD, "同意约谈，由乡镇党委书记负责。"
        if state in (TalkState.HELD, TalkState.CLOSED):
            talk.held_on, talk.talker = held_on, "乡镇党委书记"
            talk.content, talk.commitment = SAID, PROMISED
            talk.follow_up_on = held_on + datetime.timedelta(days=rng.choice([15, 30, 90]))
        if state == TalkState.CLOSED:
            talk.follow_up_note, talk.closed_at = "已制定整改方案并落实，群众反映良好。", now
        talk.state = state
        talk.save()
    held = list(
        Talk.objects.filter(township__county=county, state__in=[TalkState.HELD, TalkState.CLOSED]).select_related(
            "village", "township"
        )
    )
    items = []
    for index, talk in enumerate(held[:3]):
        responsible = (
            Tenure.objects.filter(township_id=talk.township_id, post=PostKind.PARTY_SECRETARY, ended_on__isnull=True)
            .values_list("person_id", flat=True)
            .first()
        ) or talk.person_id
        done = index == 0
        items.append(
            RectificationItem(
                township_id=talk.township_id,
                talk=talk,
                problem=f"{talk.village.name if talk.village else talk.township.name}：{talk.reason}"[:300],
                measure="制定整改方案，明确责任人和时限，每月督促检查。",
                deadline=today + datetime.timedelta(days=(-10 if index == 1 else 45)),
                responsible_id=responsible,
                status=RectificationStatus.DONE if done else RectificationStatus.OPEN,
                completed_on=today - datetime.timedelta(days=5) if done else None,
                completion_note="整改完成，已验收。" if done else "",
            )
        )
    RectificationItem.objects.bulk_create(items)
