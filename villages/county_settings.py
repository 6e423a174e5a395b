"""The villages' own county settings (registered with townships.county_settings when the app is ready):
the size limit of uploaded evidence, which a village's matter steps are the first to check and the
apps above (meetings, commitments, 述职) check the same way."""

from django.utils.translation import gettext_lazy

from townships.county_settings import SettingDef, SettingGroup

# The page lists its groups by weight: 发展党员 10, 组织生活 20, 村干部 30, 预警 40 (cadres),
# 千分制考核 50 and the assessment's own after it.
LIFE = SettingGroup(gettext_lazy("组织生活"), 20)

VILLAGE_SETTINGS = (
    SettingDef("life.evidence_max_mb", LIFE, gettext_lazy("佐证材料文件大小上限"), 10, 1, 50, "MB", ""),
)
