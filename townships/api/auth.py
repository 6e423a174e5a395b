"""Token authentication with a short cache: a polling client's token is checked against the
database once per ``API_TOKEN_CACHE_SECONDS`` instead of on every request.

The cache key is knox's digest of the presented token (never the token itself). Revoking a
token, or changing or deactivating its user, drops the cached entry at once (signals below);
the time-to-live only bounds what a lost cache invalidation could leave behind.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken

from townships.models import User


def _key(digest):
    return f"api-token:{digest}"


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token):
        try:
            digest = hash_token(token.decode("utf-8"))
        except (TypeError, ValueError, UnicodeDecodeError):
            return super().authenticate_credentials(token)
        cached = cache.get(_key(digest))
        if cached is not None:
            user, auth_token = cached
            if auth_token.expiry is None or auth_token.expiry > timezone.now():
                return user, auth_token
        user, auth_token = super().authenticate_credentials(token)
        cache.set(_key(digest), (user, auth_token), settings.API_TOKEN_CACHE_SECONDS)
        return user, auth_token


class CachedTokenScheme(KnoxTokenScheme):
    """The OpenAPI schema describes the cached authentication as knox's token scheme."""

    target_class = CachedTokenAuthentication


@receiver(post_delete, sender=AuthToken)
def _forget_revoked_token(sender, instance, **kwargs):
    cache.delete(_key(instance.digest))


@receiver(post_save, sender=User)
def _forget_changed_user_tokens(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login's timestamp changes nothing a token grants (and is saved on every login)
    digests = AuthToken.objects.filter(user=instance).values_list("digest", flat=True)
    cache.delete_many([_key(d) for d in digests])
