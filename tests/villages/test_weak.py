import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from townships.models import AuditEvent
from villages.models import WeakDesignation
from villages.services import weak_accept, weak_add_step, weak_designate

pytestmark = pytest.mark.django_db
D = datetime.date


def test_designate_rectify_and_accept_keeps_the_history(admin_user, staff_user, village):
    with pytest.raises(ValidationError, match="说明理由"):
        weak_designate(actor=admin_user, village=village, year=2026, reason="")
    designation = weak_designate(actor=admin_user, village=village, year=2026, reason="书记空缺半年")
    with pytest.raises(ValidationError, match="已在整顿名单"):
        weak_designate(actor=admin_user, village=village, year=2026, reason="再认定")
    with pytest.raises(ValidationError, match="还没有记录整顿措施"):
        weak_accept(actor=admin_user, designation=designation, note="验收合格")
    weak_add_step(actor=staff_user, designation=designation, done_on=D(2026, 6, 1), description="选优配强村党组织书记")
    with pytest.raises(ValidationError, match="验收意见"):
        weak_accept(actor=admin_user, designation=designation, note="")
    weak_accept(actor=admin_user, designation=designation, note="班子健全，组织生活正常")
    designation.refresh_from_db()
    assert designation.status == "accepted" and designation.steps.count() == 1
    assert AuditEvent.objects.filter(target_id=str(designation.pk)).count() == 3
    # A later designation of the same village is a new record; the old one stays.
    weak_designate(actor=admin_user, village=village, year=2027, reason="再次涣散")
    assert WeakDesignation.objects.filter(village=village).count() == 2


def test_township_staff_record_steps_for_their_own_villages_only(
    client, admin_user, staff_user, village, other_village
):
    mine = weak_designate(actor=admin_user, village=village, year=2026, reason="x")
    theirs = weak_designate(actor=admin_user, village=other_village, year=2026, reason="y")
    client.force_login(staff_user)
    client.post(reverse("weak-detail", args=[mine.pk]), {"done_on": "2026-05-01", "description": "集中学习"})
    assert mine.steps.count() == 1
    assert client.get(reverse("weak-detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("weak-detail", args=[mine.pk]), {"accept": "1", "note": "ok"}).status_code == 403
    assert client.post(reverse("weak-list"), {"village": village.pk, "reason": "z"}).status_code == 403
