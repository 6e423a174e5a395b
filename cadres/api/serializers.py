"""Personal data leaves the API masked, always: the full numbers are only shown through
the audited reveal action on the person page."""

from rest_framework import serializers

from cadres.models import (
    Appraisal,
    AppraisalRating,
    Commitment,
    Inspection,
    Meeting,
    Milestone,
    PartyMember,
    Person,
    Tenure,
)


class PersonSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(
        source="id_number_masked", read_only=True, help_text="身份证号（脱敏：地区码+后四位）"
    )
    phone = serializers.CharField(source="phone_masked", read_only=True, help_text="联系电话（脱敏）")
    gender_display = serializers.CharField(source="get_gender_display", read_only=True, help_text="性别")
    education_display = serializers.CharField(source="get_education_display", read_only=True, help_text="学历")

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "gender",
            "gender_display",
            "ethnicity",
            "birth_date",
            "id_number",
            "phone",
            "education",
            "education_display",
            "occupation",
            "township",
            "village",
        ]
        extra_kwargs = {
            "id": {"help_text": "人员编号"},
            "name": {"help_text": "姓名"},
            "gender": {"help_text": "性别代码：male 男，female 女"},
            "ethnicity": {"help_text": "民族"},
            "birth_date": {"help_text": "出生日期"},
            "education": {"help_text": "学历代码"},
            "occupation": {"help_text": "职业"},
            "township": {"help_text": "所属乡镇编号"},
            "village": {"help_text": "所属村（社区）编号"},
        }


class PartyMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True, help_text="姓名")
    gender = serializers.CharField(source="person.gender", read_only=True, help_text="性别代码")
    birth_date = serializers.DateField(source="person.birth_date", read_only=True, help_text="出生日期")
    id_number = serializers.CharField(source="person.id_number_masked", read_only=True, help_text="身份证号（脱敏）")
    stage_display = serializers.CharField(source="get_stage_display", read_only=True, help_text="发展阶段")
    organization_name = serializers.CharField(source="organization.name", read_only=True, help_text="所在党组织")

    class Meta:
        model = PartyMember
        fields = [
            "id",
            "person",
            "name",
            "gender",
            "birth_date",
            "id_number",
            "stage",
            "stage_display",
            "is_active",
            "organization",
            "organization_name",
            "township",
            "village",
            "applied_on",
            "activist_on",
            "candidate_on",
            "admitted_on",
            "probation_end",
            "confirmed_on",
            "left_on",
            "leave_reason",
        ]
        extra_kwargs = {
            "id": {"help_text": "党员记录编号"},
            "person": {"help_text": "人员编号"},
            "stage": {"help_text": "发展阶段代码：applicant/activist/candidate/probationary/full"},
            "is_active": {"help_text": "是否在册"},
            "organization": {"help_text": "所在党组织编号"},
            "township": {"help_text": "乡镇编号"},
            "village": {"help_text": "村（社区）编号"},
            "applied_on": {"help_text": "递交申请日期"},
            "activist_on": {"help_text": "确定积极分子日期"},
            "candidate_on": {"help_text": "列为发展对象日期"},
            "admitted_on": {"help_text": "入党日期"},
            "probation_end": {"help_text": "预备期满日期"},
            "confirmed_on": {"help_text": "转正日期"},
            "left_on": {"help_text": "出党或转出日期"},
            "leave_reason": {"help_text": "出党或转出原因代码"},
        }


class TenureSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True, help_text="姓名")
    post_display = serializers.CharField(source="get_post_display", read_only=True, help_text="职务")

    class Meta:
        model = Tenure
        fields = [
            "id",
            "person",
            "name",
            "post",
            "post_display",
            "township",
            "village",
            "started_on",
            "ended_on",
            "end_reason",
        ]
        extra_kwargs = {
            "id": {"help_text": "任职编号"},
            "person": {"help_text": "人员编号"},
            "post": {"help_text": "职务代码"},
            "township": {"help_text": "乡镇编号"},
            "village": {"help_text": "村（社区）编号"},
            "started_on": {"help_text": "任职日期"},
            "ended_on": {"help_text": "离任日期（现任为空）"},
            "end_reason": {"help_text": "离任原因"},
        }


class MeetingSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text="会议类型")
    has_evidence = serializers.SerializerMethodField(help_text="是否有佐证材料")

    class Meta:
        model = Meeting
        fields = [
            "id",
            "organization",
            "township",
            "village",
            "kind",
            "kind_display",
            "held_on",
            "topic",
            "entitled",
            "present",
            "has_evidence",
            "status",
        ]
        extra_kwargs = {
            "id": {"help_text": "记录编号"},
            "organization": {"help_text": "党组织编号"},
            "township": {"help_text": "乡镇编号"},
            "village": {"help_text": "村（社区）编号"},
            "kind": {"help_text": "会议类型代码"},
            "held_on": {"help_text": "召开日期"},
            "topic": {"help_text": "主题"},
            "entitled": {"help_text": "应到人数"},
            "present": {"help_text": "实到人数"},
            "status": {"help_text": "审核状态：approved 已通过（计入统计）、pending 待乡镇审核、returned 已退回"},
        }

    def get_has_evidence(self, obj) -> bool:
        return bool(obj.evidence)


class AppraisalRatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppraisalRating
        fields = ["member", "rating"]
        extra_kwargs = {"member": {"help_text": "党员记录编号"}, "rating": {"help_text": "评定等次代码"}}


class AppraisalSerializer(serializers.ModelSerializer):
    ratings = AppraisalRatingSerializer(many=True, read_only=True, help_text="各党员评定等次")

    class Meta:
        model = Appraisal
        fields = ["id", "organization", "township", "year", "held_on", "ratings"]
        extra_kwargs = {
            "id": {"help_text": "评议编号"},
            "organization": {"help_text": "党组织编号"},
            "township": {"help_text": "乡镇编号"},
            "year": {"help_text": "年度"},
            "held_on": {"help_text": "评议日期"},
        }


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_on", "quantity"]
        extra_kwargs = {
            "title": {"help_text": "节点内容"},
            "due_on": {"help_text": "完成时限"},
            "quantity": {"help_text": "应达数量（无则为空）"},
        }


class CommitmentSerializer(serializers.ModelSerializer):
    responsible_name = serializers.CharField(source="responsible.name", read_only=True, help_text="责任人姓名")
    focus_display = serializers.CharField(source="get_focus_display", read_only=True, help_text="重点方面")
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text="状态")
    grade_display = serializers.CharField(source="get_grade_display", read_only=True, help_text="评定等次")
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "township",
            "village",
            "organization",
            "year",
            "title",
            "focus",
            "focus_display",
            "responsible",
            "responsible_name",
            "plan",
            "target_kind",
            "target_quantity",
            "target_unit",
            "status",
            "status_display",
            "approved_at",
            "grade",
            "grade_display",
            "grade_note",
            "graded_at",
            "milestones",
        ]
        extra_kwargs = {
            "township": {"help_text": "乡镇编号"},
            "village": {"help_text": "村（社区）编号"},
            "organization": {"help_text": "村党组织编号"},
            "year": {"help_text": "年度"},
            "title": {"help_text": "承诺事项"},
            "focus": {"help_text": "重点方面代码"},
            "responsible": {"help_text": "责任人（人员编号）"},
            "plan": {"help_text": "实施方案"},
            "target_kind": {"help_text": "目标类型：quantity 数量目标，done 完成与否"},
            "target_quantity": {"help_text": "目标数量"},
            "target_unit": {"help_text": "计量单位"},
            "status": {"help_text": "状态代码"},
            "approved_at": {"help_text": "审核时间"},
            "grade": {"help_text": "评定等次代码：done 完成，basic 基本完成，not_done 未完成"},
            "grade_note": {"help_text": "评定说明"},
            "graded_at": {"help_text": "评定时间"},
        }


class InspectionSerializer(serializers.ModelSerializer):
    commitment_title = serializers.CharField(source="commitment.title", read_only=True, help_text="承诺事项")
    level_display = serializers.CharField(source="get_level_display", read_only=True, help_text="督查层级")
    finding_display = serializers.CharField(source="get_finding_display", read_only=True, help_text="督查结论")

    class Meta:
        model = Inspection
        fields = [
            "id",
            "commitment",
            "commitment_title",
            "township",
            "village",
            "level",
            "level_display",
            "inspected_on",
            "finding",
            "finding_display",
            "note",
            "rectification",
            "rectify_by",
            "closed_on",
            "closing_note",
        ]
        extra_kwargs = {
            "commitment": {"help_text": "承诺实事编号"},
            "township": {"help_text": "乡镇编号"},
            "village": {"help_text": "村（社区）编号"},
            "level": {"help_text": "督查层级代码"},
            "inspected_on": {"help_text": "督查日期"},
            "finding": {"help_text": "督查结论代码"},
            "note": {"help_text": "督查情况"},
            "rectification": {"help_text": "整改要求"},
            "rectify_by": {"help_text": "整改期限"},
            "closed_on": {"help_text": "销号日期"},
            "closing_note": {"help_text": "整改情况"},
        }
