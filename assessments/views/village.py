"""A village login's home (本村工作台): its scorecard, its to-do, its messages, on a phone.

It combines the assessment, the meeting records and the message centre, so it lives in the highest
app it reads. Everything on it comes through ``scope_for`` narrowed to the login's village.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ..selectors import village_workbench


@require_safe
@login_required
def village_home(request):
    if not request.user.is_village_staff:
        raise Http404  # the township's and the county's homes are elsewhere ("home")
    return render(
        request,
        "assessments/village_home.html",
        village_workbench(user=request.user, today=timezone.localdate()),
    )
