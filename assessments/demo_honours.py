"""The demo's 表彰与推荐: last year's ratings signed by the demo county administrator (as a county does
early in the year), this year's 七一 list drawn from them and decided, a township's nominations (one
decided, one waiting), and the promotion and candidate proposals left for the county to decide."""

import datetime

from django.core.exceptions import ValidationError

from cadres.choices import Stage
from cadres.models import PartyMember
from townships.choices import Role
from townships.models import User
from villages.models import PartyOrganization

from .choices import HonourKind, HonourState
from .models import Honour
from .services.honours import honour_decide, honour_nominate, honours_propose
from .services.sign_off import annual_ratings_sign_off, sign_off_summary


def demo_honours(*, county, today):
    admin = User.objects.filter(county=county, role=Role.COUNTY_ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        return 0  # a county without a demo login: nobody to sign or decide
    summary = sign_off_summary(county_id=county.pk, year=today.year - 1)
    if summary["ratings"] and not summary["ties"]:
        annual_ratings_sign_off(
            actor=admin,
            county_id=county.pk,
            year=today.year - 1,
            opinion="经县委组织部部务会研究，同意。（演示数据）",
            digest=summary["digest"],
        )
    try:
        honours_propose(
            actor=admin, county_id=county.pk, year=today.year, today=min(today, datetime.date(today.year, 7, 1))
        )
    except ValidationError:
        return 0
    for honour in Honour.objects.filter(county=county, year=today.year, kind=HonourKind.EXCELLENT_SECRETARY):
        honour_decide(actor=admin, honour=honour, approve=True, opinion="实绩突出，群众认可，同意表彰。（演示数据）")
    township = county.townships.order_by("sort_key", "pk").first()
    member = (
        PartyMember.objects.filter(township=township, stage=Stage.FULL, is_active=True).select_related("person").first()
    )
    if member is not None:
        honour = honour_nominate(
            actor=admin, year=today.year, kind=HonourKind.EXCELLENT_MEMBER, township=township, person=member.person,
            reason="带领群众发展特色种植，帮助困难党员脱贫（演示数据）",
        )  # fmt: skip
        honour_decide(actor=admin, honour=honour, approve=True, opinion="同意表彰。（演示数据）")
    organization = PartyOrganization.objects.filter(township=township, village__isnull=False).first()
    if organization is not None:
        honour_nominate(
            actor=admin, year=today.year, kind=HonourKind.ADVANCED_ORGANIZATION, township=township,
            organization=organization, reason="三会一课规范，集体经济增收明显（演示数据）",
        )  # fmt: skip
    return Honour.objects.filter(county=county, state=HonourState.APPROVED).count()
