"""The one access chokepoint: `restrict(queryset, user, action)`.

Every selector that lists or shows records passes its queryset through `restrict`. The
user's side is an `AccessScope` (what the user may reach for an action), answered by the
user model's `access_scope(action)`; the record's side is the model's `access_policy`
(which fields tie a record to an agency, an area, an owner, or the public). Keeping both
halves declarative keeps the rules in two places a reader can check, and testable as a
matrix of roles x objects.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q

ACTIONS = ("view", "add", "change", "delete")


@dataclass(frozen=True)
class AccessScope:
    """What one user may reach for one action."""

    everything: bool = False
    agency_ids: frozenset[int] = field(default_factory=frozenset)
    unit_codes: frozenset[str] = field(default_factory=frozenset)
    user_id: int | None = None
    public: bool = False


NOTHING = AccessScope()
PUBLIC = AccessScope(public=True)


@dataclass(frozen=True)
class AccessPolicy:
    """How a model's records relate to a scope; each lookup is optional.

    agency: lookup of the responsible agency's id (e.g. "agency" or "agency_id").
    unit: lookup of the admin unit code the record lies in (e.g. "commune__code").
    owner: lookup of the user who owns the record (e.g. "reporter").
    public: a Q of the records anybody may see (None: nothing is public).
    """

    agency: str | None = None
    unit: str | None = None
    owner: str | None = None
    public: Q | None = None

    def filter(self, queryset: models.QuerySet, scope: AccessScope) -> models.QuerySet:
        if scope.everything:
            return queryset
        condition = Q(pk__in=[])
        if self.agency and scope.agency_ids:
            condition |= Q(**{f"{self.agency}__in": scope.agency_ids})
        if self.unit and scope.unit_codes:
            condition |= Q(**{f"{self.unit}__in": scope.unit_codes})
        if self.owner and scope.user_id is not None:
            condition |= Q(**{self.owner: scope.user_id})
        if self.public is not None and scope.public:
            condition |= self.public
        return queryset.filter(condition).distinct() if self._joins() else queryset.filter(
            condition
        )

    def _joins(self) -> bool:
        # A lookup through a many-valued relation can repeat rows.
        return any(lookup and "__" in lookup for lookup in (self.agency, self.unit, self.owner))


def access_scope(user: Any, action: str) -> AccessScope:
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}; expected one of {ACTIONS}.")
    if user is None or not getattr(user, "is_authenticated", False):
        return PUBLIC if action == "view" else NOTHING
    if not getattr(user, "is_active", False):
        return NOTHING
    return user.access_scope(action)


def restrict(queryset: models.QuerySet, user: Any, action: str = "view") -> models.QuerySet:
    policy = getattr(queryset.model, "access_policy", None)
    if not isinstance(policy, AccessPolicy):
        raise ImproperlyConfigured(f"{queryset.model.__name__} declares no access_policy.")
    return policy.filter(queryset, access_scope(user, action))


class RestrictedQuerySet(models.QuerySet):
    """`Model.objects.restrict(user, "view")`, as in NetBox."""

    def restrict(self, user: Any, action: str = "view") -> models.QuerySet:
        return restrict(self, user, action)
