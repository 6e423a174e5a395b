from rest_framework import serializers

from villages.models import Matter, MatterStepRecord, PartyOrganization, Village


class VillageSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text="类型（中文）")
    showcase_type_display = serializers.CharField(
        source="get_showcase_type_display", read_only=True, help_text="示范村类型（中文）"
    )
    township_name = serializers.CharField(source="township.name", read_only=True, help_text="所属乡镇名称")

    class Meta:
        model = Village
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "township",
            "township_name",
            "division_code",
            "sort_key",
            "natural_villages",
            "villager_groups",
            "households",
            "population",
            "showcase_type",
            "showcase_type_display",
            "is_active",
        ]
        extra_kwargs = {
            "id": {"help_text": "村（社区）编号"},
            "name": {"help_text": "名称"},
            "kind": {"help_text": "类型代码：village 行政村，community 社区"},
            "township": {"help_text": "所属乡镇编号"},
            "division_code": {"help_text": "行政区划代码"},
            "sort_key": {"help_text": "排序码"},
            "natural_villages": {"help_text": "自然村数"},
            "villager_groups": {"help_text": "村民小组数"},
            "households": {"help_text": "户数"},
            "population": {"help_text": "人口"},
            "showcase_type": {"help_text": "示范村类型代码"},
            "is_active": {"help_text": "是否启用"},
        }


class PartyOrganizationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text="类型（中文）")
    township_name = serializers.CharField(source="township.name", read_only=True, help_text="所属乡镇名称")
    village_name = serializers.CharField(
        source="village.name", read_only=True, default=None, allow_null=True, help_text="所属村（社区）名称"
    )
    joint_villages = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="联合党支部覆盖的其他村（社区）编号"
    )

    class Meta:
        model = PartyOrganization
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "parent",
            "township",
            "township_name",
            "village",
            "village_name",
            "joint_villages",
            "term_start",
            "term_end",
            "is_active",
        ]
        extra_kwargs = {
            "id": {"help_text": "党组织编号"},
            "name": {"help_text": "名称"},
            "kind": {"help_text": "类型代码：committee 党委，general_branch 党总支，branch 党支部，group 党小组"},
            "parent": {"help_text": "上级组织编号"},
            "township": {"help_text": "所属乡镇编号"},
            "village": {"help_text": "所属村（社区）编号"},
            "term_start": {"help_text": "本届任期开始"},
            "term_end": {"help_text": "本届任期届满"},
            "is_active": {"help_text": "是否启用"},
        }


class MatterStepSerializer(serializers.ModelSerializer):
    step_display = serializers.CharField(source="get_step_display", read_only=True, help_text="步骤名称")

    class Meta:
        model = MatterStepRecord
        fields = ["step", "step_display", "done_on"]
        extra_kwargs = {"step": {"help_text": "步骤序号 1–6"}, "done_on": {"help_text": "日期"}}


class MatterSerializer(serializers.ModelSerializer):
    steps = MatterStepSerializer(many=True, read_only=True, help_text="已完成的步骤")

    class Meta:
        model = Matter
        fields = ["id", "village", "township", "title", "steps"]
        extra_kwargs = {
            "id": {"help_text": "事项编号"},
            "village": {"help_text": "村（社区）编号"},
            "township": {"help_text": "乡镇编号"},
            "title": {"help_text": "事项"},
        }
