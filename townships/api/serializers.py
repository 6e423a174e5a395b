from rest_framework import serializers

from townships.models import Township


class TownshipSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text="类型（中文）")
    county_name = serializers.CharField(source="county.name", read_only=True, help_text="所属县名称")

    class Meta:
        model = Township
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "county",
            "county_name",
            "division_code",
            "sort_key",
            "is_active",
            "village_count",
            "population",
            "households",
        ]
        extra_kwargs = {
            "id": {"help_text": "乡镇编号"},
            "name": {"help_text": "乡镇（街道）名称"},
            "kind": {"help_text": "类型代码：township 乡，town 镇，subdistrict 街道"},
            "county": {"help_text": "所属县编号"},
            "division_code": {"help_text": "行政区划代码"},
            "sort_key": {"help_text": "排序码"},
            "is_active": {"help_text": "是否启用"},
            "village_count": {"help_text": "启用的村（社区）数"},
            "population": {"help_text": "人口合计"},
            "households": {"help_text": "户数合计"},
        }
