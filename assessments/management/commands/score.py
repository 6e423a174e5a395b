from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessments.choices import RunKind
from assessments.services import run_synchronously, score_counties, scoring_run_start
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
        if kind == RunKind.MONTHLY:
            runs, skipped = score_counties(
                year=year, month=period, counties=counties, allow_missing=allow_missing, enqueue=not now
            )
        else:
            runs, skipped = [], []
            for c in counties.order_by("pk"):
                try:
                    runs.append(
                        scoring_run_start(
                            actor=None, county_id=c.pk, kind=kind, year=year, period=period, enqueue=not now
                        )
                    )
                except ValidationError as exc:
                    skipped.append((c, " ".join(exc.messages)))
        for run in runs:
            self.report(run, now)
        for c, reason in skipped:
            self.stdout.write(f"{c.name}: skipped: {reason}")
        self.stdout.write(f"{len(runs)} county(ies) {'scored' if now else 'queued'}, {len(skipped)} skipped.")
        if not runs and skipped:
            raise CommandError("Nothing was scored.")

    def report(self, run, now):
        name = run.county.name
        if not now:
            self.stdout.write(f"{name}: run {run.pk} queued.")
            return
        run_synchronously(run)
        run.refresh_from_db()
        self.stdout.write(f"{name}: run {run.pk} {run.status}, {run.targets_scored} scored.")
        if run.left_out:
            self.stdout.write(
                f"  {len(run.left_out)} villages left out (no approved report, or the secretary's post vacant): "
                + ", ".join(f"{v['township']} {v['name']}" for v in run.left_out[:20])
            )

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
