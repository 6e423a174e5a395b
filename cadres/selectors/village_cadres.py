"""Village cadres: 一肩挑, vacancies, contacts, reserve pool (their pay: the assessment's 报酬测算)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max

from villages.models import Village

from ..choices import PostKind
from ..models import ReserveCadre, Tenure, VillageContact


@dataclass
class VillageCadres:
    village_id: int
    village_name: str
    township_name: str
    secretary: str = ""
    director: str = ""
    first_secretary: str = ""
    one_shoulder: bool = False
    secretary_vacant_since: datetime.date | None = None
    vacancy_months: int | None = None
    vacancy_flagged: bool = False
    contacts: list = field(default_factory=list)
    reserves: int = 0


def village_cadre_overview(*, townships, today, conf):
    """One row per village; five queries whatever the number of villages."""
    villages = list(
        Village.objects.filter(township__in=townships, is_active=True)
        .select_related("township")
        .order_by("township__sort_key", "township__name", "sort_key", "name")
    )
    ids = [v.pk for v in villages]
    rows = {v.pk: VillageCadres(v.pk, v.name, v.township.name) for v in villages}
    holders = {}
    current = Tenure.objects.filter(
        village_id__in=ids,
        ended_on__isnull=True,
        post__in=[PostKind.VILLAGE_SECRETARY, PostKind.COMMITTEE_DIRECTOR, PostKind.FIRST_SECRETARY],
    ).values_list("village_id", "post", "person_id", "person__name")
    for village_id, post, person_id, name in current:
        holders[(village_id, post)] = (person_id, name)
    last_end = dict(
        Tenure.objects.filter(village_id__in=ids, post=PostKind.VILLAGE_SECRETARY)
        .values_list("village_id")
        .annotate(last=Max("ended_on"))
    )
    for (village_id, post), (_person_id, name) in holders.items():
        if post == PostKind.FIRST_SECRETARY:
            rows[village_id].first_secretary = name
    threshold = conf["alert.secretary_vacancy_months"]
    for village_id, row in rows.items():
        secretary = holders.get((village_id, PostKind.VILLAGE_SECRETARY))
        director = holders.get((village_id, PostKind.COMMITTEE_DIRECTOR))
        row.secretary = secretary[1] if secretary else ""
        row.director = director[1] if director else ""
        row.one_shoulder = bool(secretary and director and secretary[0] == director[0])
        if not secretary:
            since = last_end.get(village_id)
            row.secretary_vacant_since = since
            if since:
                row.vacancy_months = (today.year - since.year) * 12 + today.month - since.month
            row.vacancy_flagged = since is None or row.vacancy_months >= threshold
    for village_id, name in VillageContact.objects.filter(village_id__in=ids, ended_on__isnull=True).values_list(
        "village_id", "person__name"
    ):
        rows[village_id].contacts.append(name)
    for village_id, n in (
        ReserveCadre.objects.filter(village_id__in=ids, removed_on__isnull=True)
        .values_list("village_id")
        .annotate(n=Count("pk"))
    ):
        rows[village_id].reserves = n
    return list(rows.values())
