"""Writes of the inbox: make notifications (in bulk), mark them read."""

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ioc.core import statements
from ioc.inbox.models import Notification, text_in

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
    rows = [
        {"recipient_id": pk, "kind": kind, "url": url, "title": titles, "body": bodies}
        for pk in ids
    ]
    collected = _collected.get()
    if collected is not None:
        collected += rows
    else:
        statements.insert_values(Notification, rows)
    return len(ids)


# The rows of notify() inside notifications_collected(); None outside.
_collected: ContextVar[list[dict[str, Any]] | None] = ContextVar("inbox_collected", default=None)


@contextmanager
def notifications_collected() -> Iterator[None]:
    """Inside, notify() gathers its rows; they are written in one INSERT on leaving."""
    token = _collected.set([])
    try:
        yield
        statements.insert_values(Notification, _collected.get() or [])
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
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())
