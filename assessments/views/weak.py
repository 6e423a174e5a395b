"""软弱涣散: the designations and the candidates the records point at (they read ratings and reports,
so the page lives here; a designation's own page and its steps are in villages)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from townships.scoping import can_manage_registry, get_scoped_or_404, scope_for
from townships.web import int_param, require_get_or_post, require_registry_manager
from villages.models import Village, WeakDesignation
from villages.services import weak_designate

from ..selectors import weak_candidates


@require_get_or_post
@login_required
def weak_list(request):
    if request.method == "POST":
        require_registry_manager(request.user)
        village = get_scoped_or_404(request.user, Village.objects.all(), pk=int_param(request.POST.get("village")))
        try:
            designation = weak_designate(
                actor=request.user,
                village=village,
                year=timezone.localdate().year,
                reason=request.POST.get("reason", ""),
                source=request.POST.get("source", ""),
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("weak-list")
        messages.success(request, _("已认定“%(v)s”为软弱涣散村党组织，进入整顿。") % {"v": village.name})
        return redirect("weak-detail", pk=designation.pk)
    designations = scope_for(request.user, WeakDesignation.objects.select_related("village", "township")).annotate(
        n_steps=Count("steps")
    )
    return render(
        request,
        "villages/weak_list.html",
        {
            "designations": designations.order_by("status", "-year", "township__sort_key")[:300],
            "candidates": weak_candidates(user=request.user, today=timezone.localdate())
            if request.user.is_county_level
            else [],
            "can_designate": can_manage_registry(request.user),
            "villages": scope_for(request.user, Village.objects.filter(is_active=True)).select_related("township")
            if can_manage_registry(request.user)
            else [],
        },
    )
