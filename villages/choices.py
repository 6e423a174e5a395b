from django.db import models
from django.utils.translation import gettext_lazy as _


class VillageKind(models.TextChoices):
    VILLAGE = "village", _("行政村")
    COMMUNITY = "community", _("社区")


class ShowcaseType(models.TextChoices):
    """示范村类型, the five showcase types the county promotes."""

    INDUSTRY = "industry", _("产业主导型")
    BEAUTIFUL = "beautiful", _("美丽乡村型")
    TOURISM = "tourism", _("旅游拉动型")
    ECOLOGY = "ecology", _("生态文明型")
    DEMOCRACY = "democracy", _("民主法治型")


class OrganizationKind(models.TextChoices):
    COMMITTEE = "committee", _("党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


# Which kinds may sit directly under which (None: top of a tree).
# A township committee heads the tree; a village may have its own committee
# (≥100 members, county approval), general branch or branch; groups sit in a
# branch or general branch.
ALLOWED_PARENT_KINDS = {
    OrganizationKind.COMMITTEE: {None, OrganizationKind.COMMITTEE},
    OrganizationKind.GENERAL_BRANCH: {OrganizationKind.COMMITTEE},
    OrganizationKind.BRANCH: {OrganizationKind.COMMITTEE, OrganizationKind.GENERAL_BRANCH},
    OrganizationKind.GROUP: {OrganizationKind.BRANCH, OrganizationKind.GENERAL_BRANCH},
}


class MatterStep(models.IntegerChoices):
    """四议两公开: six ordered steps for a village's major matter; none may be skipped."""

    PROPOSE = 1, _("村党组织提议")
    DISCUSS = 2, _("村“两委”会议商议")
    REVIEW = 3, _("党员大会审议")
    RESOLVE = 4, _("村民（代表）会议决议")
    DISCLOSE_RESOLUTION = 5, _("决议公开")
    DISCLOSE_RESULT = 6, _("实施结果公开")
