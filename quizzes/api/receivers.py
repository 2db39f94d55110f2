"""The API's receivers: a manager who loses the role (or the account) loses their tokens.

Connected when the quizzes app is ready (QuizzesConfig.ready imports this module). The
request-time check already refuses a token whose owner is no longer an active manager;
revoking as well means that giving the role back does not bring old tokens back to life.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from quizzes.api.services import api_tokens_revoke_if_owner_lost_role

User = get_user_model()
# The fields whose change may end a manager's right to tokens.
ACCOUNT_FIELDS = frozenset({"is_active", "is_superuser"})


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="api-tokens-after-groups")
def tokens_after_group_change(sender, *, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_remove", "post_clear"):
        return
    if not reverse:
        api_tokens_revoke_if_owner_lost_role(user=instance)
        return
    # group.user_set.remove(...): the users are named by pk (all of them for a clear).
    users = User.objects.filter(pk__in=pk_set) if pk_set else User.objects.none()
    for user in users:
        api_tokens_revoke_if_owner_lost_role(user=user)


@receiver(post_save, sender=User, dispatch_uid="api-tokens-after-account-change")
def tokens_after_account_change(sender, *, instance, created, update_fields, **kwargs) -> None:
    if created or (update_fields is not None and not ACCOUNT_FIELDS & set(update_fields)):
        return  # a log-in's last_login, a name change: nothing to check
    api_tokens_revoke_if_owner_lost_role(user=instance)
