import os
import random
import time
from dataclasses import replace

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessments.demo import detail_counties
from townships.demo import DEMO_PASSWORD, DEMO_USERNAMES, create_demo_users, demo_logins
from townships.models import County, User
from villages.choices import OrganizationKind
from villages.demo import PRESETS, generate_registry


class Command(BaseCommand):
    help = (
        "Load a deterministic demo county (or city, or province) with demo logins into an empty database. "
        "Development only: the demo logins share a published password."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--preset",
            choices=sorted(PRESETS),
            default="county",
            help="county: 18 townships, ~300 villages; city: 6 such counties; "
            "province: 90 counties, ~1,500 townships, ~25,000 villages",
        )
        parser.add_argument("--counties", type=int, help="number of counties (overrides the preset)")
        parser.add_argument("--townships", type=int, help="townships per county (overrides the preset)")
        parser.add_argument(
            "--villages-per-township",
            type=int,
            help="exactly this many villages in every township (the presets vary around their mean)",
        )
        parser.add_argument("--seed", type=int, default=2026, help="the same seed gives the same data")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing (and say so) when the database already has a county"
        )
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off (throwaway databases only)")
        parser.add_argument("--registry-only", action="store_true", help="only townships, villages and organizations")
        parser.add_argument("--without-assessment", action="store_true", help="no schemes, reports or scores")
        parser.add_argument(
            "--jobs",
            type=int,
            help="counties detailed at once, each in its own process (PostgreSQL only; default: one per CPU)",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: the demo accounts share a published password "
                f"({DEMO_PASSWORD}). 生产环境（DEBUG 关闭）不得加载演示数据：演示账号使用公开密码。"
                "Use --force only on a throwaway database."
            )
        if County.objects.exists():
            if options["if_empty"]:
                self.stdout.write(
                    "Demo data not loaded: the database already has data. 数据库已有数据，未加载演示数据。"
                )
                self._print_logins(County.objects.order_by("pk").first())
                return
            raise CommandError(
                "The database already has counties; load_demo only fills an empty database. "
                "数据库已有县（区）数据，演示数据只能加载到空数据库。"
            )
        taken = list(User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True))
        if taken:
            raise CommandError(
                f"Users named {', '.join(sorted(taken))} already exist; the demo logins need these names. "
                "演示账号的用户名已被占用。"
            )
        size = PRESETS[options["preset"]]
        if options["counties"] is not None:
            size = replace(size, counties=options["counties"])
        if options["townships"] is not None:
            size = replace(size, townships_per_county=options["townships"])
        if options["villages_per_township"] is not None:
            size = replace(size, villages_per_township=options["villages_per_township"], villages_spread=0)
        try:
            size.check()
        except ValueError as exc:
            raise CommandError(f"Bad size: {exc}.") from exc

        rng = random.Random(options["seed"])
        started = time.monotonic()
        counties, summary = generate_registry(rng=rng, size=size, progress=self._progress(size.counties))
        users = create_demo_users(county=counties[0])
        self.stdout.write(
            f"Registry: {summary.counties} county(ies), {summary.townships} townships, {summary.villages} villages, "
            f"{summary.organizations} Party organizations ({self._kinds(summary)}), {len(users)} demo logins "
            f"in {time.monotonic() - started:.1f}s (seed {options['seed']})."
        )
        if not options["registry_only"]:
            assessment = not options["without_assessment"]
            jobs = options["jobs"] or min(os.cpu_count() or 1, len(counties))
            started = time.monotonic()
            totals = detail_counties(
                seed=options["seed"],
                county_ids=[county.pk for county in counties],
                today=timezone.localdate(),
                assessment=assessment,
                jobs=jobs,
                progress=self._detail_progress(started),
            )
            what = "records and assessment (schemes, monthly reports, scores, ratings)" if assessment else "records"
            self.stdout.write(
                f"{what.capitalize()} for {len(counties)} county(ies): {totals['people']} people, "
                f"{totals['members']} members and applicants, {totals['meetings']} meeting records "
                f"in {time.monotonic() - started:.1f}s."
            )
        self._print_logins(counties[0])

    def _detail_progress(self, started):
        def report(done, total, name, totals):
            if total > 1:
                self.stdout.write(
                    f"  [{done}/{total}] {name}: {totals['people']} people, {totals['meetings']} meetings "
                    f"({time.monotonic() - started:.1f}s)"
                )

        return report

    def _progress(self, total):
        started = time.monotonic()

        def report(index, county, part):
            if total > 1:
                self.stdout.write(
                    f"  [{index + 1}/{total}] {county.name}: {part.townships} townships, {part.villages} villages, "
                    f"{part.organizations} organizations ({time.monotonic() - started:.1f}s)"
                )

        return report

    @staticmethod
    def _kinds(summary):
        labels = ", ".join(f"{kind.label} {summary.kinds[kind]}" for kind in OrganizationKind if summary.kinds[kind])
        return f"{labels}; 联合党支部 {summary.joint_branches}"

    def _print_logins(self, county):
        if county is None or not User.objects.filter(username="county").exists():
            return
        rows = demo_logins(county)
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        self.stdout.write(f"  {'账号':<6} {'角色':<10} 范围")
        for username, role, scope in rows:
            self.stdout.write(f"  {username:<8} {role:<12} {scope}")
