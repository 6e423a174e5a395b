import re

import pytest
from django.urls import reverse

from assessments.choices import AssessmentMessageKind
from cadres.choices import CadreMessageKind
from tests import factories
from townships.choices import MessageKind
from townships.county_settings import BY_KEY, DEFINITIONS, register_settings
from townships.message_kinds import KINDS, register_message_kinds
from townships.models import Message


def test_a_setting_key_is_registered_once():
    before = list(DEFINITIONS)
    with pytest.raises(ValueError, match="pipeline.min_age"):
        register_settings(BY_KEY["pipeline.min_age"])
    assert DEFINITIONS == before


def test_the_settings_page_shows_every_apps_groups_in_their_fixed_order(client, admin_user):
    # Each app registers its own settings when it is ready; the page's order is the groups' own,
    # the order the county has always seen, whatever order the apps were loaded in.
    client.force_login(admin_user)
    page = client.get(reverse("county-settings")).content.decode()
    headers = re.findall(r'<div class="card-header">([^<]*)</div>', page)
    assert headers == [
        "发展党员",
        "组织生活",
        "村干部",
        "预警",
        "千分制考核",
        "满意度测评",
        "约谈",
        "村干部述职述廉",
        "乡镇党委书记述职评议",
        "村干部报酬",
        "表彰与推荐",
        "离任生活补贴",
    ]
    assert all(f'name="{key}' in page for key in BY_KEY)  # every registered setting has its field


def test_a_message_kind_is_registered_once():
    before = dict(KINDS)
    with pytest.raises(ValueError, match="deadline"):
        register_message_kinds(CadreMessageKind)
    assert KINDS == before


def test_a_message_shows_its_kinds_label_whichever_app_registered_it(db):
    user = factories.county_admin(factories.CountyFactory(), username="kinds")
    for kind, label in [
        (MessageKind.IMPORT_FINISHED, "导入完成"),
        (CadreMessageKind.DEADLINE, "报送截止提醒"),
        (AssessmentMessageKind.RECTIFICATION_OVERDUE, "整改事项逾期"),
    ]:
        assert Message.objects.create(recipient=user, kind=kind, title="t").get_kind_display() == label
