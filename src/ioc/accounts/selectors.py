"""Reads of the accounts app, each through restrict(); and the login lock-out count."""

import math
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ioc.accounts.choices import AgencyKind
from ioc.accounts.models import Agency, ApiKey, LoginAttempt, User
from ioc.core.access import restrict
from ioc.geo.names import fold, sort_key


def agency_list(*, user: Any, kind: str | None = None) -> QuerySet[Agency]:
    agencies = restrict(Agency.objects.select_related("parent"), user, "view")
    if kind:
        agencies = agencies.filter(kind=kind)
    return agencies


def agency_get(*, user: Any, code: str) -> Agency:
    """The agency with `code`, or Http404 (also when the user may not see it)."""
    return get_object_or_404(
        restrict(Agency.objects.select_related("parent"), user, "view"), code=code
    )


def user_list(*, user: Any) -> QuerySet[User]:
    return restrict(User.objects.select_related("agency"), user, "view").order_by("username")


def apikey_list(*, user: Any) -> QuerySet[ApiKey]:
    return restrict(ApiKey.objects.select_related("agency", "created_by"), user, "view")


def login_lockout_remaining(*, username: str, ip: str | None) -> int:
    """Seconds until `username` (or the address `ip`) may try to log in again; 0 if now.

    Locked while the username has IOC_LOGIN_MAX_FAILURES failures within the last
    IOC_LOGIN_LOCKOUT_MINUTES (failures before its last success do not count), or the
    address has IOC_LOGIN_MAX_FAILURES_PER_IP. A success from an address does not clear
    the address's count: an attacker who owns one account could otherwise log in with it
    between guesses at others.
    """
    now = timezone.now()
    window = timedelta(minutes=settings.IOC_LOGIN_LOCKOUT_MINUTES)
    since = now - window
    last_success = (
        LoginAttempt.objects.filter(username=username, succeeded=True, created_at__gt=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    by_username = Q(username=username)
    if last_success is not None:
        by_username &= Q(created_at__gt=last_success)
    remaining = _seconds_left(by_username, settings.IOC_LOGIN_MAX_FAILURES, since, window, now)
    if ip:
        by_ip = Q(ip_address=ip)
        remaining = max(
            remaining,
            _seconds_left(by_ip, settings.IOC_LOGIN_MAX_FAILURES_PER_IP, since, window, now),
        )
    return remaining


def _seconds_left(
    condition: Q, limit: int, since: datetime, window: timedelta, now: datetime
) -> int:
    # The lock lasts until the limit-th most recent failure leaves the window.
    failures = LoginAttempt.objects.filter(condition, succeeded=False, created_at__gt=since)
    oldest_counted = failures.order_by("-created_at").values_list("created_at", flat=True)[
        limit - 1 : limit
    ]
    moments = list(oldest_counted)
    if not moments:
        return 0
    return max(1, math.ceil((moments[0] + window - now).total_seconds()))


def agency_directory(*, user: Any, kind: str = "", query: str = "") -> list[Agency]:
    """Agencies the user may see, with their member and area counts, sorted by kind and
    name; `query` matches the name or code with or without diacritics."""
    agencies = agency_list(user=user, kind=kind or None).annotate(
        member_count=Count("members", distinct=True),
        unit_count=Count("units", distinct=True),
    )
    folded_query = fold(query.strip())
    rows = [
        agency
        for agency in agencies
        if not folded_query
        or folded_query in fold(f"{agency.name} {agency.short_name} {agency.code}")
    ]
    order = {value: index for index, value in enumerate(AgencyKind.values())}
    return sorted(rows, key=lambda agency: (order.get(agency.kind, 99), sort_key(agency.name)))
