"""The undated pay settings (cadre.pay_*) become each county's first dated pay standard.

A county that had set any of them gets a standard from 2000-01-01, open-ended, with its amounts
(the defaults where it had not set one); the settings rows are then removed, since the settings
no longer exist. A county that never set them gets nothing: it sets its standard on the pay page.
村民小组长/党小组长 have no post on record, so their yearly amount has nowhere to go and is dropped."""

import datetime
from decimal import Decimal

from django.db import migrations

KEYS = {
    "cadre.pay_one_shoulder_month": ("one_shoulder_month", Decimal(1560)),
    "cadre.pay_single_post_month": ("principal_month", Decimal(1500)),
    "cadre.pay_deputy_month": ("deputy_month", Decimal(1300)),
}
DROPPED = ("cadre.pay_group_leader_year",)


def forwards(apps, schema_editor):
    CountySetting = apps.get_model("townships", "CountySetting")
    PayStandard = apps.get_model("assessments", "PayStandard")
    stored = {}
    for county_id, key, value in CountySetting.objects.filter(key__in=list(KEYS)).values_list(
        "county_id", "key", "value"
    ):
        stored.setdefault(county_id, {})[key] = value
    for county_id, values in stored.items():
        amounts = {field: Decimal(str(values.get(key, default))) for key, (field, default) in KEYS.items()}
        PayStandard.objects.create(
            county_id=county_id,
            name="原村干部报酬设置（迁移）",
            effective_from=datetime.date(2000, 1, 1),
            effective_to=None,
            **amounts,
        )
    CountySetting.objects.filter(key__in=[*KEYS, *DROPPED]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0013_pay"),
        ("townships", "0013_message_kinds_registered"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
