from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessments.choices import RunKind
from assessments.services import run_synchronously, scoring_run_start
from townships.models import County


class Command(BaseCommand):
    help = "Queue (or with --now, run here) a scoring run: monthly, quarterly bulletin or annual rating."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[k for k, _label in RunKind.choices])
        parser.add_argument("year", type=int)
        parser.add_argument("period", type=int, nargs="?", default=0, help="month (1–12) or quarter (1–4)")
        parser.add_argument("--county", help="county name or id (default: every active county)")
        parser.add_argument("--now", action="store_true", help="run in this process instead of on the workers")

    def handle(self, kind, year, period, county=None, now=False, **options):
        if kind == RunKind.MONTHLY and not 1 <= period <= 12:
            raise CommandError("A monthly run needs a month 1–12.")
        if kind == RunKind.QUARTERLY and not 1 <= period <= 4:
            raise CommandError("A quarterly bulletin needs a quarter 1–4.")
        counties = County.objects.filter(is_active=True)
        if county:
            counties = counties.filter(pk=county) if county.isdigit() else counties.filter(name=county)
        for c in counties:
            try:
                run = scoring_run_start(
                    actor=None, county_id=c.pk, kind=kind, year=year, period=period, enqueue=not now
                )
            except ValidationError as exc:
                raise CommandError(f"{c.name}: {' '.join(exc.messages)}") from None
            if now:
                run_synchronously(run)
                run.refresh_from_db()
                self.stdout.write(f"{c.name}: run {run.pk} {run.status}, {run.targets_scored} scored.")
            else:
                self.stdout.write(f"{c.name}: run {run.pk} queued.")
