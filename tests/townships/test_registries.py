import re

import pytest
from django.urls import reverse

from townships.county_settings import BY_KEY, DEFINITIONS, register_settings


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
    ]
    assert all(f'name="{key}' in page for key in BY_KEY)  # every registered setting has its field
