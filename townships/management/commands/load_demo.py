import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from townships.demo import (
    DEMO_PASSWORD,
    PRESETS,
    Size,
    create_demo_users,
    demo_logins,
    generate_records,
    generate_registry,
)
from townships.models import County


class Command(BaseCommand):
    help = "Load a deterministic demo county (or city, or province) with demo logins. Development only."

    def add_arguments(self, parser):
        parser.add_argument("--preset", choices=sorted(PRESETS), default="county")
        parser.add_argument("--counties", type=int)
        parser.add_argument("--townships", type=int, help="townships per county")
        parser.add_argument("--villages-per-township", type=int, help="mean villages per township")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database already has a county")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")
        parser.add_argument("--registry-only", action="store_true", help="only townships, villages and organizations")
        parser.add_argument("--without-assessment", action="store_true", help="no schemes, reports or scores")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: demo accounts share a published password "
                "(演示账号使用公开密码，生产环境不得加载). Use --force only on a throwaway database."
            )
        if County.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Demo data not loaded: the database already has data.")
                self._print_logins(County.objects.order_by("pk").first())
                return
            raise CommandError("The database already has counties; load_demo only fills an empty database.")
        counties, townships, villages = PRESETS[options["preset"]]
        size = Size(
            counties=options["counties"] or counties,
            townships_per_county=options["townships"] or townships,
            villages_per_township=options["villages_per_township"] or villages,
        )
        rng = random.Random(options["seed"])
        started = time.monotonic()
        created, summary = generate_registry(rng=rng, size=size, county_prefix="青山县")
        create_demo_users(county=created[0])
        self.stdout.write(
            f"Loaded {summary.counties} county(ies), {summary.townships} townships, {summary.villages} villages, "
            f"{summary.organizations} Party organizations in {time.monotonic() - started:.1f}s (seed {options['seed']})."
        )
        if not options["registry_only"]:
            started = time.monotonic()
            records = generate_records(rng=rng, counties=created, today=timezone.localdate())
            self.stdout.write(
                f"Loaded {records['people']} people, {records['members']} members and applicants, "
                f"{records['meetings']} meeting records in {time.monotonic() - started:.1f}s."
            )
            if not options["without_assessment"]:
                from assessments.demo import generate_assessment

                started = time.monotonic()
                for county in created[:3]:  # scoring every county of a province would take long; three show it
                    generate_assessment(rng=rng, county=county, today=timezone.localdate())
                self.stdout.write(
                    f"Loaded schemes, monthly reports, scores and ratings in {time.monotonic() - started:.1f}s."
                )
        self._print_logins(created[0])

    def _print_logins(self, county):
        from townships.models import User

        if county is None or not User.objects.filter(username="county").exists():
            return
        rows = demo_logins(county)
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role, scope in rows:
            self.stdout.write(f"  {username:<8} {role:<12} {scope}")
