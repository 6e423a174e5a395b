import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese(client):
    page = client.get(reverse("login")).content.decode()
    assert "乡镇党建管理系统" in page and "用户名" in page and "密码" in page


def test_login_and_logout(client, admin_user):
    response = client.post(reverse("login"), {"username": admin_user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("logout")).status_code == 405  # logout is POST only
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_a_wrong_password_says_so_in_chinese(client, admin_user):
    page = client.post(reverse("login"), {"username": admin_user.username, "password": "nope"}).content.decode()
    assert "用户名或密码不正确" in page


def test_five_failures_lock_the_account_even_against_the_right_password(client, admin_user):
    for _ in range(5):
        client.post(reverse("login"), {"username": admin_user.username, "password": "wrong-one"})
    response = client.post(reverse("login"), {"username": admin_user.username, "password": TEST_PASSWORD})
    page = response.content.decode()
    assert response.status_code == 429
    assert "账户已暂时锁定" in page and "15 分钟" in page
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_account(client, admin_user, viewer_user):
    for _ in range(5):
        client.post(reverse("login"), {"username": admin_user.username, "password": "wrong-one"})
    response = client.post(reverse("login"), {"username": viewer_user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_password_change_validates_in_chinese(client, admin_user):
    client.force_login(admin_user)
    page = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    ).content.decode()
    assert "这个密码太常见了" in page or "密码全是数字" in page


def test_anonymous_users_are_sent_to_login(client):
    for name in ("home", "township-list", "village-list", "organization-list"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]
