"""The townships' own scores (the township target): what the 述职评议 composite, the county landing
page and the townships' ranking read."""

from ..choices import PeriodKind, Target
from ..models import Score

# A year's township score is stored with period 1 (there is one year in a year).
YEAR_PERIOD = 1


def township_year_scores(*, county_id, year):
    """{township id: (total, veto)} of the county's townships' annual assessment scores (千分制 on the
    township scheme's scale), for the townships that have one."""
    return {
        township_id: (total, veto)
        for township_id, total, veto in Score.objects.filter(
            township__county_id=county_id,
            target=Target.TOWNSHIP,
            period_kind=PeriodKind.YEAR,
            year=year,
            period=YEAR_PERIOD,
        ).values_list("township_id", "total", "veto")
    }
