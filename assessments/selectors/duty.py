"""The person page's 述职 (cadres.person_page): each year's 述职述廉 or 述职评议 and its result."""

from townships.scoping import scope_for

from ..models import DutyReview


def person_duty_section(request, person):
    """Every 述职 of the person the user may read, latest year first (one query); None when none."""
    reviews = list(
        scope_for(request.user, DutyReview.objects.filter(person=person))
        .select_related("township", "village", "tally")
        .order_by("-year", "-pk")
    )
    if not reviews:
        return None
    return {"template": "assessments/inc_person_duty.html", "reviews": reviews}
