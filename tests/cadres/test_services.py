import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cadres import services
from cadres.choices import CorrectionOutcome, LeaveReason, MeetingKind, PostKind, Rating, Stage, Transition
from cadres.models import Correction, Meeting, MembershipEvent, PartyMember, Tenure
from tests import factories
from townships.models import AuditEvent, CountySetting

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def full_members(branch):
    return [factories.PartyMemberFactory(organization=branch) for _ in range(6)]


def _applicant(branch, admin_user, applied_on=None):
    person = factories.PersonFactory(township=branch.township, birth_date=D(1995, 4, 1))
    return services.member_apply(
        actor=admin_user, person=person, organization=branch, applied_on=applied_on or D(2024, 3, 1)
    )


def _notice(end):
    return {"notice_from": end - datetime.timedelta(days=10), "notice_to": end}


def _step(admin_user, member, transition, on_date, *, notice_to=None, **details):
    """One pipeline step recorded by the county administrator; ``notice_to`` ends its public notice."""
    if notice_to is not None:
        details |= _notice(notice_to)
    return services.member_transition(
        actor=admin_user, member=member, transition=transition, on_date=on_date, **details
    )


def _activist(admin_user, member, mentors):
    """The applicant becomes an activist on 2024-06-03, after the notice that ended 2024-05-31."""
    _step(admin_user, member, Transition.ACTIVIST, D(2024, 6, 3), mentors=mentors, notice_to=D(2024, 5, 31))


def _candidate(admin_user, member, sponsors, on_date, notice_to, **training):
    """The activist becomes a candidate, the political check passed."""
    _step(
        admin_user,
        member,
        Transition.CANDIDATE,
        on_date,
        sponsors=sponsors,
        political_check="passed",
        notice_to=notice_to,
        **training,
    )


def _meeting(admin_user, organization, *, kind=MeetingKind.BRANCH_GENERAL, topic="学习贯彻", **details):
    """A meeting held on 2026-03-05."""
    return services.meeting_record(
        actor=admin_user, organization=organization, kind=kind, held_on=D(2026, 3, 5), topic=topic, **details
    )


def _secretary(admin_user, person, township, village, started_on):
    return services.tenure_start(
        actor=admin_user,
        person=person,
        post=PostKind.VILLAGE_SECRETARY,
        township=township,
        village=village,
        started_on=started_on,
    )


def test_person_create_checks_the_id_number_against_birth_date_and_gender(admin_user, township):
    number = factories.make_id_number(D(1980, 5, 6), 3, male=True)
    with pytest.raises(ValidationError) as exc:
        services.person_create(
            actor=admin_user, township=township, name="张三", gender="male", birth_date=D(1981, 5, 6), id_number=number
        )
    assert "出生日期不一致" in str(exc.value)
    person = services.person_create(
        actor=admin_user,
        township=township,
        name="张三",
        gender="male",
        birth_date=D(1980, 5, 6),
        id_number=number.lower(),
        phone="138 1234 5678",
    )
    assert (person.id_number, person.phone) == (number.upper(), "13812345678")


def test_person_update_never_writes_personal_data_into_the_audit_trail(admin_user, township):
    person = factories.PersonFactory(township=township)
    services.person_update(actor=admin_user, person=person, phone="13900001111")
    event = AuditEvent.objects.get(action="update", target_id=str(person.pk))
    assert event.detail == {"phone": ["***", "***"]}
    assert "13900001111" not in str(AuditEvent.objects.values_list("detail", flat=True))


def test_reveal_is_audited(admin_user, township):
    person = factories.PersonFactory(township=township)
    shown = services.person_reveal(actor=admin_user, person=person)
    assert shown["id_number"] == person.id_number
    assert AuditEvent.objects.filter(action="reveal", actor=admin_user, target_id=str(person.pk)).count() == 1


def test_the_whole_pipeline_from_application_to_full_member(admin_user, branch, full_members):
    member = _applicant(branch, admin_user)
    _step(admin_user, member, Transition.TALK, D(2024, 3, 20))
    _activist(admin_user, member, full_members[:2])
    _candidate(admin_user, member, full_members[2:4], D(2025, 6, 10), D(2025, 6, 6), training_days=3)
    admit = {"entitled": 7, "present": 6, "in_favour": 6, "approved_on": D(2025, 10, 15)}
    _step(admin_user, member, Transition.ADMIT, D(2025, 9, 1), notice_to=D(2025, 8, 29), **admit)
    member.refresh_from_db()
    assert (member.stage, member.probation_end) == (Stage.PROBATIONARY, D(2026, 9, 1))
    confirm = {"entitled": 7, "present": 7, "in_favour": 7}
    _step(admin_user, member, Transition.CONFIRM, D(2026, 9, 2), notice_to=D(2026, 9, 1), **confirm)
    member.refresh_from_db()
    assert member.stage == Stage.FULL
    assert list(member.events.values_list("transition", flat=True)) == [
        "apply",
        "talk",
        "activist",
        "candidate",
        "admit",
        "confirm",
    ]
    assert AuditEvent.objects.filter(action="approve", target_id=str(member.pk)).count() == 2


def test_an_activist_of_eleven_months_is_refused_and_nothing_is_saved(admin_user, branch, full_members):
    member = _applicant(branch, admin_user)
    _activist(admin_user, member, full_members[:1])
    events_before = MembershipEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        _candidate(admin_user, member, full_members[2:4], D(2025, 5, 3), D(2025, 4, 30), training_days=3)
    assert "细则第十四条" in str(exc.value)
    member.refresh_from_db()
    assert member.stage == Stage.ACTIVIST
    assert member.sponsors.count() == 0
    assert MembershipEvent.objects.count() == events_before


def test_a_county_setting_changes_the_rule(admin_user, branch, full_members):
    CountySetting.objects.create(county=branch.township.county, key="pipeline.activist_min_months", value=6)
    member = _applicant(branch, admin_user)
    _activist(admin_user, member, full_members[:1])
    _candidate(admin_user, member, full_members[2:4], D(2024, 12, 4), D(2024, 12, 3), training_hours=24)
    member.refresh_from_db()
    assert member.stage == Stage.CANDIDATE


def test_an_under_age_applicant_is_refused(admin_user, branch):
    person = factories.PersonFactory(township=branch.township, birth_date=D(2010, 1, 1))
    with pytest.raises(ValidationError, match="年满 18 周岁"):
        services.member_apply(actor=admin_user, person=person, organization=branch, applied_on=D(2026, 1, 1))
    assert not PartyMember.objects.filter(person=person).exists()


def test_an_expelled_member_cannot_reapply_within_five_years(admin_user, branch):
    member = factories.PartyMemberFactory(organization=branch)
    services.member_transition(
        actor=admin_user, member=member, transition=Transition.LEAVE, on_date=D(2024, 1, 1), reason=LeaveReason.EXPELLED
    )
    with pytest.raises(ValidationError, match="2029-01-01 前不得重新申请"):
        services.member_apply(actor=admin_user, person=member.person, organization=branch, applied_on=D(2026, 1, 1))


def test_leaving_keeps_the_history(admin_user, branch):
    member = factories.PartyMemberFactory(organization=branch)
    services.member_transition(
        actor=admin_user, member=member, transition=Transition.LEAVE, on_date=D(2026, 2, 1), reason=LeaveReason.DEATH
    )
    member.refresh_from_db()
    assert (member.is_active, member.left_on, member.leave_reason) == (False, D(2026, 2, 1), "death")
    with pytest.raises(ValidationError, match="不在册"):
        services.member_transition(actor=admin_user, member=member, transition=Transition.REVIEW, on_date=D(2026, 3, 1))


def test_a_meeting_with_more_attendees_than_members_is_refused(admin_user, branch, full_members):
    with pytest.raises(ValidationError) as exc:
        _meeting(admin_user, branch, entitled=9, present=8)
    assert "多于该组织在册党员数" in str(exc.value)
    with pytest.raises(ValidationError, match="实到人数不能多于应到人数"):
        _meeting(admin_user, branch, entitled=5, present=6)
    assert not Meeting.objects.exists()


def test_a_photo_that_is_not_an_image_is_refused(admin_user, branch, full_members):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 this is an executable", content_type="image/jpeg")
    party_day = {"kind": MeetingKind.PARTY_DAY, "topic": "主题党日", "entitled": 6, "present": 5}
    with pytest.raises(ValidationError, match="不是图片"):
        _meeting(admin_user, branch, evidence=fake, evidence_kind="photo", **party_day)
    assert not Meeting.objects.exists()
    png = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    meeting = _meeting(admin_user, branch, evidence=png, evidence_kind="photo", **party_day)
    assert meeting.evidence.name.endswith(".png")


def test_group_meetings_belong_to_groups(admin_user, branch, full_members):
    with pytest.raises(ValidationError, match="党小组会只能由党小组召开"):
        _meeting(admin_user, branch, kind=MeetingKind.GROUP, topic="x", entitled=1, present=1)


def test_appraisal_refuses_too_many_excellent_and_opens_corrections_for_unqualified(admin_user, branch, full_members):
    ratings = {m.pk: Rating.EXCELLENT for m in full_members[:3]} | {m.pk: Rating.QUALIFIED for m in full_members[3:]}
    with pytest.raises(ValidationError, match="规定比例"):
        services.appraisal_record(
            actor=admin_user, organization=branch, year=2025, held_on=D(2025, 12, 20), ratings=ratings
        )
    ratings = {m.pk: Rating.QUALIFIED for m in full_members} | {full_members[0].pk: Rating.UNQUALIFIED}
    services.appraisal_record(
        actor=admin_user, organization=branch, year=2025, held_on=D(2025, 12, 20), ratings=ratings
    )
    correction = Correction.objects.get()
    assert (correction.member_id, correction.deadline) == (full_members[0].pk, D(2026, 6, 20))
    with pytest.raises(ValidationError, match="已开展民主评议"):
        services.appraisal_record(
            actor=admin_user, organization=branch, year=2025, held_on=D(2025, 12, 21), ratings=ratings
        )


def test_closing_a_correction_with_expulsion_takes_the_member_off_the_roster(admin_user, branch, full_members):
    correction = services.correction_start(actor=admin_user, member=full_members[0], started_on=D(2025, 12, 20))
    services.correction_close(
        actor=admin_user, correction=correction, outcome=CorrectionOutcome.EXPELLED, outcome_on=D(2026, 6, 30)
    )
    full_members[0].refresh_from_db()
    assert (full_members[0].is_active, full_members[0].leave_reason) == (False, "expelled")


def test_one_current_secretary_per_village(admin_user, township, village, full_members):
    # Secretaries are full members of the village's organization (see test_post_rules).
    first, second = full_members[0].person, full_members[1].person
    _secretary(admin_user, first, township, village, D(2021, 10, 1))
    with pytest.raises(ValidationError, match="已有在任人员"):
        _secretary(admin_user, second, township, village, D(2024, 1, 1))
    tenure = Tenure.objects.get(person=first)
    services.tenure_end(actor=admin_user, tenure=tenure, ended_on=D(2023, 12, 31), reason="调整")
    _secretary(admin_user, second, township, village, D(2024, 1, 1))
    assert Tenure.objects.filter(village=village, ended_on__isnull=True).count() == 1


def test_a_village_post_needs_a_village(admin_user, township):
    with pytest.raises(ValidationError, match="须指定所在村"):
        services.tenure_start(
            actor=admin_user,
            person=factories.PersonFactory(township=township),
            post=PostKind.COMMITTEE_DIRECTOR,
            township=township,
            started_on=D(2024, 1, 1),
        )
