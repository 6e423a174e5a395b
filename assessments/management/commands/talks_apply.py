"""Propose the 约谈 a county's results give: ``talks_apply 2026 --quarter 3`` after a published bulletin,
``talks_apply 2025`` after the annual rating (both also run by themselves at those moments)."""

from django.core.management.base import BaseCommand, CommandError

from townships.models import County

from ...services import talks_apply


class Command(BaseCommand):
    help = "按季度通报、年度评定等结果提出约谈建议（已决定的不变，同一事由同一期间只提一次）。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])
        parser.add_argument("--county", help="县名称（默认全部）")

    def handle(self, *args, year, quarter, county, **options):
        if not 2000 <= year <= 2100:
            raise CommandError("年度不正确。")
        counties = County.objects.order_by("pk")
        if county:
            counties = counties.filter(name=county)
            if not counties.exists():
                raise CommandError(f"没有名为“{county}”的县。")
        for each in counties:
            count = talks_apply(county_id=each.pk, year=year, quarter=quarter)
            self.stdout.write(f"{each.name}：约谈建议 {count} 项（含此前未决定的）")
