"""Writes of the inbox: make notifications (in bulk), for users or for groups, copy a
group's to its members' inboxes, mark them read."""

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ioc.accounts.choices import Role
from ioc.core import statements
from ioc.inbox.models import GroupDelivery, GroupNotification, Notification, text_in

OPERATORS = "operators"  # the audience of every active operator

# A parameter is a plain value, a {language: text} mapping (the text in each language), a
# lazy translation, or a function without arguments; the last two are rendered with each
# language active (a function may call get_language()).
Param = Any


def render_in_languages(
    *messages: str, params: Mapping[str, Param] | None = None
) -> list[dict[str, str]]:
    """[{language: text}] of each message id (marked with gettext_noop by the caller), with
    its %(name)s parameters, in every language of the deployment; an empty message gives
    {}. The parameters are rendered once per language for all the messages."""
    texts: list[dict[str, str]] = [{} for _message in messages]
    if not any(messages):
        return texts
    for language, _name in settings.LANGUAGES:
        values = {key: _in_language(value, language) for key, value in (params or {}).items()}
        for message, rendered in zip(messages, texts, strict=True):
            if message:
                text = _translated(message, language)
                rendered[language] = text % values if values else text
    return texts


@functools.lru_cache(maxsize=1024)
def _translated(message: str, language: str) -> str:
    """A message id in one language, from the catalogues (fixed while the process runs):
    activating each language for each notification was 2 % of a report submission's
    instructions (docs/performance.md, session 8)."""
    with translation.override(language):
        return _(message)


def _in_language(value: Param, language: str) -> str:
    if isinstance(value, Mapping):
        return str(text_in(value, language))
    if callable(value) or isinstance(value, Promise):
        with translation.override(language):
            return str(value() if callable(value) else value)
    return str(value)


def notify(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    title: str,
    body: str = "",
    params: Mapping[str, Param] | None = None,
    url: str | Callable[[], str] = "",
) -> int:
    """Give every recipient (user ids, repeats ignored) the same notification; one INSERT.

    `title` and `body` are message ids with %(name)s placeholders filled from `params`;
    `url` may be a function, called only when there is someone to notify.
    Returns how many notifications were made."""
    ids = sorted({int(pk) for pk in recipient_ids if pk is not None})
    if not ids:
        return 0
    if callable(url):
        url = url()
    titles, bodies = render_in_languages(title, body, params=params)
    # Values, not model instances (statements.insert_values): the rows share their texts.
    _write(
        Notification,
        [
            {"recipient_id": pk, "kind": kind, "url": url, "title": titles, "body": bodies}
            for pk in ids
        ],
    )
    return len(ids)


def notify_group(
    *,
    audience: str,
    kind: str,
    title: str,
    body: str = "",
    params: Mapping[str, Param] | None = None,
    url: str | Callable[[], str] = "",
) -> None:
    """Give every member of `audience` (agency_audience(), OPERATORS) the same notification,
    as notify() does: one row, whatever the group's size, which each member's inbox copies
    when they next look (group_notifications_deliver)."""
    titles, bodies = render_in_languages(title, body, params=params)
    row = {"audience": audience, "kind": kind, "title": titles, "body": bodies}
    _write(GroupNotification, [{**row, "url": url() if callable(url) else url}])


def agency_audience(agency_id: int) -> str:
    """The audience of an agency's active staff and head."""
    return f"agency:{int(agency_id)}"


def audiences_of(user: Any) -> list[str]:
    """The audiences whose group notifications the user gets."""
    if not user.is_active:
        return []
    if user.role in Role.AGENCY and user.agency_id:
        return [agency_audience(user.agency_id)]
    return [OPERATORS] if user.role == Role.OPERATOR else []


def group_notifications_deliver(*, user: Any) -> int:
    """Copy to the user's inbox the notifications of their audiences made since the last
    copy (for a new account: since it was made, as if each had been sent to every member
    then); returns how many. Two requests of one user copy each notification once: only
    the one that moves the user's mark copies. A user of no audience (a citizen) costs no
    query; a member with nothing new, one (the bell asks on every page)."""
    audiences = audiences_of(user)
    if not audiences:
        return 0
    newest = (
        GroupNotification.objects.filter(audience__in=audiences, pk__gt=OuterRef("through"))
        .order_by("-pk")
        .values("pk")[:1]
    )
    mark = (
        GroupDelivery.objects.filter(user=user)
        .annotate(latest=Subquery(newest))
        .values_list("through", "latest")
        .first()
    )
    if mark is None:  # an account made before its mark (signals.py): nothing before now
        group_mark_start(user=user)
        return 0
    through, latest = mark
    if latest is None:
        return 0
    with transaction.atomic():
        moved = GroupDelivery.objects.filter(user=user, through=through).update(through=latest)
        return _copy(user.pk, audiences, through, latest) if moved else 0


def group_mark_start(*, user: Any) -> None:
    """Give a user without one a mark at the latest group notification: they get those
    made from now on."""
    latest = GroupNotification.objects.aggregate(latest=models.Max("pk"))["latest"] or 0
    GroupDelivery.objects.get_or_create(user=user, defaults={"through": latest})


def _copy(user_id: int, audiences: list[str], after: int, through: int) -> int:
    """One INSERT ... SELECT of the audiences' notifications in (after, through] into the
    user's inbox, with their own time."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("kind", "url", "title", "body", "created_at"))
    target, source = (quote(model._meta.db_table) for model in (Notification, GroupNotification))
    among, key = ", ".join(["%s"] * len(audiences)), quote("id")
    # Every name comes from the models, every value is a parameter.
    sql = (
        f"INSERT INTO {target} ({quote('recipient_id')}, {columns}) SELECT %s, {columns} "  # noqa: S608
        f"FROM {source} WHERE {quote('audience')} IN ({among}) AND {key} > %s AND {key} <= %s "
        f"ORDER BY {key}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, *audiences, after, through])
        return cursor.rowcount


def _write(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    collected = _collected.get()
    if collected is not None:
        collected.setdefault(model, []).extend(rows)
    else:
        _insert(model, rows)


# The key of the PostgreSQL advisory lock that orders the writes of group notifications.
GROUP_WRITES_LOCK = 0x10C1A0B0


def _insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """INSERT the rows; group notifications in the order of their keys. A member's mark is
    the last key copied, so a notification must not become visible after one with a
    greater key: on PostgreSQL concurrent transactions can commit out of the order of the
    keys they drew, and those that write group notifications take a lock held to their
    commit first (SQLite writes one transaction at a time already)."""
    if model is not GroupNotification or not rows or connection.vendor != "postgresql":
        statements.insert_values(model, rows)
        return
    with transaction.atomic():  # the lock lasts until the outermost transaction's end
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [GROUP_WRITES_LOCK])
        statements.insert_values(model, rows)


# The rows of notify() and notify_group() inside notifications_collected(), by model;
# None outside.
_collected: ContextVar[dict[type[models.Model], list[dict[str, Any]]] | None] = ContextVar(
    "inbox_collected", default=None
)


@contextmanager
def notifications_collected() -> Iterator[None]:
    """Inside, notify() and notify_group() gather their rows; they are written in one
    INSERT a model on leaving."""
    token = _collected.set({})
    try:
        yield
        for model, rows in (_collected.get() or {}).items():
            _insert(model, rows)
    finally:
        _collected.reset(token)


def notification_mark_read(*, user: Any, notification_id: int) -> Notification | None:
    """Mark one of the user's notifications read; None when it is not theirs."""
    notification = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: Any) -> int:
    """Mark every unread notification of the user read, those of their groups made until
    now included; returns how many."""
    group_notifications_deliver(user=user)
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())
