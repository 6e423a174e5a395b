import datetime

import pytest
from django.core.exceptions import ValidationError

from villages.choices import MatterStep
from villages.models import MatterStepRecord
from villages.services import matter_create, matter_record_step

pytestmark = pytest.mark.django_db
D = datetime.date


def test_steps_go_in_order_and_none_is_skipped(admin_user, village):
    matter = matter_create(actor=admin_user, village=village, title="村集体光伏项目")
    matter_record_step(actor=admin_user, matter=matter, step=MatterStep.PROPOSE, done_on=D(2026, 3, 1))
    with pytest.raises(ValidationError, match="不能跳步：请先记录“村“两委”会议商议”"):
        matter_record_step(actor=admin_user, matter=matter, step=MatterStep.REVIEW, done_on=D(2026, 3, 5))
    with pytest.raises(ValidationError, match="不能早于"):
        matter_record_step(actor=admin_user, matter=matter, step=MatterStep.DISCUSS, done_on=D(2026, 2, 28))
    for step, day in zip(list(MatterStep)[1:], range(2, 7), strict=True):
        matter_record_step(actor=admin_user, matter=matter, step=step, done_on=D(2026, 3, day))
    assert list(MatterStepRecord.objects.filter(matter=matter).values_list("step", flat=True)) == [1, 2, 3, 4, 5, 6]


def test_a_step_is_recorded_once(admin_user, village):
    matter = matter_create(actor=admin_user, village=village, title="道路硬化")
    matter_record_step(actor=admin_user, matter=matter, step=MatterStep.PROPOSE, done_on=D(2026, 3, 1))
    with pytest.raises(ValidationError, match="已经记录"):
        matter_record_step(actor=admin_user, matter=matter, step=MatterStep.PROPOSE, done_on=D(2026, 3, 2))
    assert MatterStepRecord.objects.count() == 1
