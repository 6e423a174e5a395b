from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessments.choices import RunKind
from assessments.services import run_synchronously, scoring_run_start
from assessments.verify import verify_month
from townships.models import County


class Command(BaseCommand):
    help = (
        "Queue (or with --now, run here) a scoring run: monthly, quarterly bulletin or annual rating; "
        "or `score verify YEAR MONTH` to recompute a scored month from what each score stored and list the differences."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[k for k, _label in RunKind.choices] + ["verify"])
        parser.add_argument("year", type=int)
        parser.add_argument("period", type=int, nargs="?", default=0, help="month (1–12) or quarter (1–4)")
        parser.add_argument("--county", help="county name or id (default: every active county)")
        parser.add_argument("--now", action="store_true", help="run in this process instead of on the workers")
        parser.add_argument(
            "--allow-missing",
            action="store_true",
            help="monthly: score even though some villages have no approved report (they are left out)",
        )

    def handle(self, kind, year, period, county=None, now=False, allow_missing=False, **options):
        if kind in (RunKind.MONTHLY, "verify") and not 1 <= period <= 12:
            raise CommandError("A monthly run needs a month 1–12.")
        if kind == RunKind.QUARTERLY and not 1 <= period <= 4:
            raise CommandError("A quarterly bulletin needs a quarter 1–4.")
        counties = County.objects.filter(is_active=True)
        if county:
            counties = counties.filter(pk=county) if county.isdigit() else counties.filter(name=county)
        if kind == "verify":
            return self.verify(counties, year, period)
        for c in counties:
            try:
                run = scoring_run_start(
                    actor=None,
                    county_id=c.pk,
                    kind=kind,
                    year=year,
                    period=period,
                    enqueue=not now,
                    allow_missing=allow_missing,
                )
            except ValidationError as exc:
                raise CommandError(f"{c.name}: {' '.join(exc.messages)}") from None
            if now:
                run_synchronously(run)
                run.refresh_from_db()
                self.stdout.write(f"{c.name}: run {run.pk} {run.status}, {run.targets_scored} scored.")
                if run.left_out:
                    self.stdout.write(
                        f"  {len(run.left_out)} villages left out (no approved report): "
                        + ", ".join(f"{v['township']} {v['name']}" for v in run.left_out[:20])
                    )
            else:
                self.stdout.write(f"{c.name}: run {run.pk} queued.")

    def verify(self, counties, year, month):
        differences = 0
        for c in counties:
            checked, found = verify_month(county_id=c.pk, year=year, month=month)
            for line in found:
                self.stdout.write(f"{c.name}: {line}")
            self.stdout.write(f"{c.name}: {year}-{month:02d}: {checked} scores checked, {len(found)} differences.")
            differences += len(found)
        self.stdout.write(f"{differences} differences.")
        if differences:
            raise CommandError(f"{differences} differences between the stored and the recomputed scores.")
