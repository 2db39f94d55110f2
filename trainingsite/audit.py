"""The one service that writes the audit trail, and the recording of role changes."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from trainingsite.models import AuditEvent
from trainingsite.roles import Role

# The person behind the change being made, for signal handlers that cannot see
# the request (the admin sets it around its saves).
_current_actor: ContextVar[Any] = ContextVar("audit_actor", default=None)
# Set while a backup is loaded: its rows are history, and it brings its own events.
_restoring: ContextVar[bool] = ContextVar("audit_restoring", default=False)


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    summary: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the change it records."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:300],
        details=details or {},
    )


@contextmanager
def audit_actor(user) -> Iterator[None]:
    """Attribute the events recorded by signal handlers inside the block to `user`."""
    token = _current_actor.set(user)
    try:
        yield
    finally:
        _current_actor.reset(token)


@contextmanager
def audit_restoring() -> Iterator[None]:
    """Record nothing from signal handlers inside the block (loading a backup)."""
    token = _restoring.set(True)
    try:
        yield
    finally:
        _restoring.reset(token)


def _role_change_record(*, user, added: list[str], removed: list[str]) -> None:
    parts = [f"added {', '.join(added)}"] if added else []
    parts += [f"removed {', '.join(removed)}"] if removed else []
    audit_record(
        actor=_current_actor.get(),
        action=AuditEvent.Action.ROLE_CHANGED,
        target=user,
        summary=f"{user.get_username()}: {'; '.join(parts)}",
        details={"user": user.get_username(), "added": added, "removed": removed},
    )


def _role_names(group_ids, using: str) -> list[str]:
    return sorted(
        Group.objects.using(using)
        .filter(pk__in=group_ids, name__in=Role.values)
        .values_list("name", flat=True)
    )


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="audit_role_changes")
def role_membership_changed(sender, instance, action, reverse, pk_set, using, **kwargs) -> None:
    """Record every change to a user's role groups, from either side of the relation."""
    if _restoring.get():
        return
    if action == "pre_clear":
        # Remember what is about to go; post_clear no longer knows.
        if reverse:
            instance._audit_cleared = list(instance.user_set.values_list("pk", flat=True))
        else:
            instance._audit_cleared = list(instance.groups.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_clear":
        pk_set = getattr(instance, "_audit_cleared", [])
    if not pk_set:
        return
    if reverse:
        # group.user_set.add(...): one role, many users.
        if instance.name not in Role.values:
            return
        names = [instance.name]
        users = list(
            get_user_model()._default_manager.using(using).filter(pk__in=pk_set).order_by("pk")
        )
    else:
        names = _role_names(pk_set, using)
        users = [instance] if names else []
    added, removed = (names, []) if action == "post_add" else ([], names)
    for user in users:
        # roles.user_role_names caches on the instance; it is stale now.
        user.__dict__.pop("_role_names", None)
        _role_change_record(user=user, added=added, removed=removed)
