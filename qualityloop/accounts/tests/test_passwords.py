import pytest
from django.contrib.auth import authenticate

from qualityloop.accounts.models import ApiToken, User


@pytest.mark.argon2
@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2():
    user = User.objects.create_user("li", password="Strong-Pass-2026")
    assert user.password.startswith("argon2$argon2id$")
    assert authenticate(username="li", password="Strong-Pass-2026") == user
    assert authenticate(username="li", password="wrong") is None


@pytest.mark.django_db
def test_api_tokens_are_stored_as_digests_only():
    user = User.objects.create_user("api", password="x")
    token, raw = ApiToken.issue(user=user, name="ERP")
    assert raw.startswith("ql_") and len(raw) > 40
    assert token.digest == ApiToken.digest_of(raw) != raw
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().get())
