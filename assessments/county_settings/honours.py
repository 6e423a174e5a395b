"""七一 commendations' and 推荐's settings: the quota and the years the proposal rules read."""

from django.utils.translation import gettext_lazy

from townships.county_settings import SettingDef, SettingGroup

HONOURS = SettingGroup(gettext_lazy("表彰与推荐"), 110)

HONOUR_SETTINGS = (
    SettingDef(
        "honours.quota", HONOURS, gettext_lazy("七一表彰优秀村党组织书记名额"), 10, 1, 1000, gettext_lazy("人"), ""
    ),
    SettingDef(
        "honours.clean_years",
        HONOURS,
        gettext_lazy("表彰须连续几年无“不称职”（含上年度）"),
        3,
        1,
        10,
        gettext_lazy("年"),
        "",
    ),
    SettingDef("honours.window", HONOURS, gettext_lazy("推荐看近几年的评定"), 3, 1, 10, gettext_lazy("年"), ""),
    SettingDef(
        "honours.promotion_excellent",
        HONOURS,
        gettext_lazy("职务晋升推荐须其中几年“优秀”"),
        2,
        1,
        10,
        gettext_lazy("年"),
        "",
    ),
)
