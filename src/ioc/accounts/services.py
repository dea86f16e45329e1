"""Writes of the accounts app: agencies, users and roles, API keys, login attempts."""

import hashlib
import logging
import re
import secrets
import string
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import formats, timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from ioc.accounts.choices import ApiScope, Role
from ioc.accounts.exceptions import (
    ApiKeyExpired,
    ApiKeyMalformed,
    ApiKeyMissing,
    ApiKeyRevoked,
    ApiKeyScopeDenied,
    ApiKeyUnknown,
)
from ioc.accounts.models import Agency, ApiKey, LoginAttempt, User
from ioc.core import statements
from ioc.core.caches import forget_now_and_at_commit
from ioc.core.services import timeline_record
from ioc.geo.models import AdminUnit

security_log = logging.getLogger("ioc.security")

# Generated passwords avoid look-alike characters (0/O, 1/l/I): people copy them by hand.
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"  # noqa: S105
PASSWORD_LENGTH = 20  # about 116 bits

API_KEY_PREFIX_ALPHABET = string.ascii_lowercase + string.digits
API_KEY_PATTERN = re.compile(r"ioc_(?P<prefix>[a-z0-9]{8})_[A-Za-z0-9_-]{32}")
# A busy client would otherwise write a row on every request.
API_KEY_LAST_USE_RESOLUTION = timedelta(seconds=60)

AGENCY_UPDATABLE_FIELDS = frozenset(
    {"name", "name_en", "short_name", "kind", "parent", "email", "phone", "is_active"}
)


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


# Agencies


def _check_parent(agency: Agency, parent: Agency | None) -> None:
    """An agency may not sit below itself: the hierarchy is a tree."""
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk == agency.pk:
            raise ValidationError(
                {"parent": _("An agency cannot be placed below itself or one of its sub-agencies.")}
            )
        ancestor = ancestor.parent


@transaction.atomic
def agency_create(
    *,
    code: str,
    name: str,
    name_en: str = "",
    short_name: str = "",
    kind: str,
    parent: Agency | None = None,
    units: Iterable[AdminUnit] = (),
    email: str = "",
    phone: str = "",
    actor: User | None = None,
) -> Agency:
    agency = Agency(
        code=code,
        name=name,
        name_en=name_en,
        short_name=short_name,
        kind=kind,
        parent=parent,
        email=email,
        phone=phone,
    )
    agency.full_clean()
    agency.save()
    unit_list = list(units)
    agency.units.set(unit_list)
    timeline_record(
        target=agency,
        actor=actor,
        verb="created",
        data={"kind": kind, "parent": parent.code if parent else None, "units": len(unit_list)},
    )
    return agency


@transaction.atomic
def agency_update(
    *,
    agency: Agency,
    data: dict[str, Any],
    units: Iterable[AdminUnit] | None = None,
    actor: User | None = None,
) -> Agency:
    """Change the fields in `data`; `units=None` keeps the areas served.

    The code cannot change: other systems and imported files refer to agencies by it.
    """
    unknown = sorted(set(data) - AGENCY_UPDATABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {
                field: _("This field cannot be changed; changeable fields: %(fields)s.")
                % {"fields": ", ".join(sorted(AGENCY_UPDATABLE_FIELDS))}
                for field in unknown
            }
        )
    if "parent" in data:
        _check_parent(agency, data["parent"])
    changed: dict[str, list[Any]] = {}
    for field, value in data.items():
        old = getattr(agency, field)
        if old != value:
            changed[field] = [_loggable(old), _loggable(value)]
            setattr(agency, field, value)
    if changed:
        agency.full_clean()
        agency.save()
    if units is not None:
        new_codes = sorted(unit.code for unit in units)
        old_codes = sorted(agency.units.values_list("code", flat=True))
        if new_codes != old_codes:
            agency.units.set(list(units))
            changed["units"] = [old_codes, new_codes]
    if changed:
        timeline_record(target=agency, actor=actor, verb="changed", data={"changed": changed})
    return agency


def _loggable(value: Any) -> Any:
    return value.code if isinstance(value, Agency) else value


# Users and roles


def _check_role(role: str, agency: Agency | None) -> None:
    if role not in Role.values():
        raise ValidationError(
            {
                "role": _("Unknown role “%(role)s”; expected one of: %(roles)s.")
                % {"role": role, "roles": ", ".join(Role.values())}
            }
        )
    if role in Role.AGENCY and agency is None:
        raise ValidationError(
            {"agency": _("Agency staff and agency heads belong to an agency: choose one.")}
        )


def _sync_admin_flags(user: User) -> None:
    # The administrator role is Django's superuser (admin site included); one source of truth.
    user.is_staff = user.is_superuser = user.role == Role.ADMIN


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    agency: Agency | None = None,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    actor: User | None = None,
) -> tuple[User, str | None]:
    """Create a user; with no password, generate a strong one and return it (else None)."""
    _check_role(role, agency)
    user = User(
        username=username,
        role=role,
        agency=agency,
        email=User.objects.normalize_email(email),
        first_name=first_name,
        last_name=last_name,
    )
    _sync_admin_flags(user)
    generated = None
    if password is None:
        generated = password = get_random_string(PASSWORD_LENGTH, PASSWORD_ALPHABET)
    else:
        _validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    timeline_record(
        target=user,
        actor=actor,
        verb="created",
        to_state=role,
        data={"agency": agency.code if agency else None},
    )
    return user, generated


@transaction.atomic
def user_set_password(*, user: User, password: str, actor: User | None = None) -> User:
    """Set a password that passes AUTH_PASSWORD_VALIDATORS (the timeline says when, never what)."""
    _validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    timeline_record(target=user, actor=actor, verb="password_set")
    return user


def _validate_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error


@transaction.atomic
def user_set_role(
    *, user: User, role: str, agency: Agency | None = None, actor: User | None = None
) -> User:
    """Give `user` a new role; `agency=None` keeps the user's current agency.

    Callers check that the actor may do this (administrators only): restrict() lets an
    agency head change their staff's records, not their roles.
    """
    new_agency = agency if agency is not None else user.agency
    _check_role(role, new_agency)
    old_role, old_agency = user.role, user.agency
    if old_role == role and old_agency == new_agency:
        return user
    user.role, user.agency = role, new_agency
    _sync_admin_flags(user)
    user.save(update_fields=["role", "agency", "is_staff", "is_superuser"])
    timeline_record(
        target=user,
        actor=actor,
        verb="role_changed",
        from_state=old_role,
        to_state=role,
        data={
            "agency": [
                old_agency.code if old_agency else None,
                new_agency.code if new_agency else None,
            ]
        },
    )
    return user


# API keys


def _hash_key(raw_key: str) -> str:
    # The key carries 192 random bits, so no one can guess it from its hash: a fast
    # hash is safe here and keeps each API request cheap (a password hash such as
    # PBKDF2 exists to slow down guessing of low-entropy secrets, and would cost
    # every request hundreds of milliseconds).
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def apikey_create(
    *,
    name: str,
    scopes: list[str],
    agency: Agency | None = None,
    expires_at: datetime | None = None,
    actor: User | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; the raw key is returned here once and never stored."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the key a name that says who uses it.")
    unknown = [scope for scope in scopes if scope not in ApiScope.values()]
    if unknown:
        errors["scopes"] = _("Unknown scope(s): %(unknown)s; expected some of: %(known)s.") % {
            "unknown": ", ".join(unknown),
            "known": ", ".join(ApiScope.values()),
        }
    elif not scopes:
        errors["scopes"] = _("Give the key at least one scope.")
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry date must be in the future.")
    if errors:
        raise ValidationError(errors)
    prefix = get_random_string(8, API_KEY_PREFIX_ALPHABET)
    while ApiKey.objects.filter(prefix=prefix).exists():
        prefix = get_random_string(8, API_KEY_PREFIX_ALPHABET)
    raw_key = f"ioc_{prefix}_{secrets.token_urlsafe(24)}"
    key = ApiKey.objects.create(
        name=name.strip(),
        prefix=prefix,
        key_hash=_hash_key(raw_key),
        scopes=sorted(set(scopes)),
        agency=agency,
        expires_at=expires_at,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    timeline_record(
        target=key,
        actor=actor,
        verb="created",
        data={"scopes": key.scopes, "agency": agency.code if agency else None},
    )
    return key, raw_key


@transaction.atomic
def apikey_revoke(*, key: ApiKey, actor: User | None = None) -> ApiKey:
    """Revoke the key for good; revoking a revoked key changes nothing."""
    if key.revoked_at is not None:
        return key
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    timeline_record(target=key, actor=actor, verb="revoked")
    security_log.info("api key revoked prefix=%s name=%s", key.prefix, key.name)
    return key


def apikey_authenticate(*, raw_key: str, scope: str, ip: str | None) -> ApiKey:
    """The key for `raw_key` if it may use `scope`; else an ApiKeyError saying why.

    Not in one transaction, unlike the other services: on SQLite a transaction takes the
    write lock at its start, and every API request passes here. Its one write is a
    single UPDATE, atomic by itself.
    """
    if not raw_key:
        raise ApiKeyMissing(
            _("API key required: send it in the X-API-Key header or the api_key parameter.")
        )
    match = API_KEY_PATTERN.fullmatch(raw_key.strip())
    if match is None:
        security_log.warning("api key rejected reason=malformed ip=%s", ip)
        raise ApiKeyMalformed(
            _("Malformed API key: a key looks like ioc_xxxxxxxx_ followed by 32 characters.")
        )
    # Looked up by its hash, so the comparison leaks nothing about the key by its timing.
    key = _key_by_hash(_hash_key(raw_key.strip()))
    if key is None:
        security_log.warning("api key rejected reason=unknown prefix=%s ip=%s", match["prefix"], ip)
        raise ApiKeyUnknown(_("Unknown API key: check that the whole key was copied."))
    now = timezone.now()
    if key.revoked_at is not None:
        security_log.warning("api key rejected reason=revoked prefix=%s ip=%s", key.prefix, ip)
        raise ApiKeyRevoked(
            _("This API key (%(prefix)s) was revoked at %(when)s.")
            % {"prefix": key.prefix, "when": _when(key.revoked_at)}
        )
    if key.expires_at is not None and key.expires_at <= now:
        security_log.warning("api key rejected reason=expired prefix=%s ip=%s", key.prefix, ip)
        raise ApiKeyExpired(
            _("This API key (%(prefix)s) expired at %(when)s.")
            % {"prefix": key.prefix, "when": _when(key.expires_at)}
        )
    if not key.has_scope(scope):
        security_log.warning(
            "api key rejected reason=scope scope=%s prefix=%s ip=%s", scope, key.prefix, ip
        )
        raise ApiKeyScopeDenied(
            _("This API key does not have the scope “%(scope)s” (it has: %(scopes)s).")
            % {"scope": scope, "scopes": ", ".join(key.scopes)}
        )
    stale = now - API_KEY_LAST_USE_RESOLUTION
    if key.last_used_at is None or key.last_used_at < stale:
        # The condition is repeated in the UPDATE so that concurrent requests write once.
        ApiKey.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale), pk=key.pk
        ).update(last_used_at=now, last_used_ip=ip)
        key.last_used_at, key.last_used_ip = now, ip
    return key


# Every API request authenticates. A key read from the database costs the request a
# connection and a read of its own (≈ 0.5 ms of server CPU and 19 thread hand-overs a
# report under load: docs/performance.md), so a process keeps the keys it has read for
# a few seconds. A key changed or revoked through Django (services, admin) is forgotten
# by its process at once, and by the others within IOC_API_KEY_CACHE_SECONDS (default
# 5; 0 turns the cache off). Expiry is checked against the clock at every request.
# Unknown keys are not remembered, so guessing fills nothing.
_keys_read: dict[str, tuple[float, ApiKey]] = {}
KEYS_REMEMBERED = 1000


def _key_by_hash(key_hash: str) -> ApiKey | None:
    seconds = settings.IOC_API_KEY_CACHE_SECONDS
    read = _keys_read.get(key_hash)
    now = time.monotonic()
    if read is not None and now - read[0] < seconds:
        return read[1]
    key = statements.fetch_by(ApiKey, "key_hash", key_hash)
    if key is None or seconds <= 0:
        _keys_read.pop(key_hash, None)
    else:
        if len(_keys_read) >= KEYS_REMEMBERED:
            _keys_read.clear()
        _keys_read[key_hash] = (now, key)
    return key


def api_keys_forget(**_kwargs: object) -> None:
    """Forget the keys this process has read, after a change to one."""
    forget_now_and_at_commit(_keys_read.clear)


post_save.connect(api_keys_forget, sender=ApiKey, dispatch_uid="accounts.api_keys_forget")
post_delete.connect(api_keys_forget, sender=ApiKey, dispatch_uid="accounts.api_keys_forget.delete")


# Login attempts


@transaction.atomic
def login_attempt_record(
    *, username: str, ip: str | None, user_agent: str, succeeded: bool
) -> LoginAttempt:
    """Log one login attempt, in the database (for the lock-out) and in the security log."""
    attempt = LoginAttempt.objects.create(
        username=username[:150], ip_address=ip, user_agent=user_agent[:255], succeeded=succeeded
    )
    if succeeded:
        security_log.info("login succeeded username=%s ip=%s", attempt.username, ip)
    else:
        security_log.warning("login failed username=%s ip=%s", attempt.username, ip)
    return attempt
