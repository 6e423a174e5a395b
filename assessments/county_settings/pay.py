"""村干部报酬's settings: who beyond the county administrator and the townships sees amounts."""

from django.utils.translation import gettext_lazy

from townships.county_settings import SettingDef, SettingGroup

PAY = SettingGroup(gettext_lazy("村干部报酬"), 100)

PAY_SETTINGS = (
    SettingDef(
        "pay.viewer_sees_amounts",
        PAY,
        gettext_lazy("县委组织部查看人员可查看报酬金额（1 是，0 否）"),
        0,
        0,
        1,
        "",
        gettext_lazy("报酬金额属个人信息：默认仅县委组织部管理员和本乡镇可见"),
    ),
)
