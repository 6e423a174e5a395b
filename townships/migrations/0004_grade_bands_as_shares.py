from decimal import Decimal

from django.db import migrations

RENAMED = {
    "grade.excellent_min": "grade.excellent_share",
    "grade.competent_min": "grade.competent_share",
    "grade.basic_min": "grade.basic_share",
}


def points_to_shares(apps, schema_editor):
    """Grade bands were points of a 1000-point scheme; they are now shares of the scheme's full marks."""
    CountySetting = apps.get_model("townships", "CountySetting")
    for old, new in RENAMED.items():
        for row in CountySetting.objects.filter(key=old):
            share = float(Decimal(str(row.value)) / Decimal(1000))
            CountySetting.objects.update_or_create(county_id=row.county_id, key=new, defaults={"value": share})
            row.delete()


class Migration(migrations.Migration):
    dependencies = [("townships", "0003_import_batch")]

    operations = [migrations.RunPython(points_to_shares, migrations.RunPython.noop)]
