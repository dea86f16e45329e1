"""The one access chokepoint: `restrict(queryset, user, action)`.

Every selector that lists or shows records passes its queryset through `restrict`. The
user's side is an `AccessScope` (what the user may reach for an action), answered by the
user model's `access_scope(action)`; the record's side is the model's `access_policy`
(which fields tie a record to an agency, an area, an owner, or the public). Keeping both
halves declarative keeps the rules in two places a reader can check, and testable as a
matrix of roles x objects.
"""

from collections.abc import Mapping
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
    is_admin: bool = False
    agency_ids: frozenset[int] = field(default_factory=frozenset)
    managed_agency_ids: frozenset[int] = field(default_factory=frozenset)
    unit_codes: frozenset[str] = field(default_factory=frozenset)
    user_id: int | None = None
    public: bool = False


NOTHING = AccessScope()
PUBLIC = AccessScope(public=True)
RELATIONS = ("agency", "manager", "unit", "owner", "public")


@dataclass(frozen=True)
class AccessPolicy:
    """How a model's records relate to a scope; each lookup is optional.

    agency: lookup of the responsible agency's id (e.g. "agency" or "agency_id").
    manager: lookup of the agency id whose heads manage the record (e.g. "agency_id").
    unit: lookup of the admin unit code the record lies in (e.g. "commune__code").
    owner: lookup of the user who owns the record (e.g. "reporter").
    public: a Q of the records anybody may see (None: nothing is public).
    admin_actions: actions that a whole-deployment role (operator, leader) does not get
        on every record: only administrators do; the others keep the relations above.
    relations: per action, which of the relations above apply (default: all of them).
    """

    agency: str | None = None
    manager: str | None = None
    unit: str | None = None
    owner: str | None = None
    public: Q | None = None
    admin_actions: frozenset[str] = frozenset()
    relations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def filter(self, queryset: models.QuerySet, scope: AccessScope, action: str) -> models.QuerySet:
        if scope.is_admin or (scope.everything and action not in self.admin_actions):
            return queryset
        applicable = self.relations.get(action, RELATIONS)
        condition = Q(pk__in=[])
        pairs = (
            ("agency", self.agency, scope.agency_ids),
            ("manager", self.manager, scope.managed_agency_ids),
            ("unit", self.unit, scope.unit_codes),
        )
        for relation, lookup, values in pairs:
            if relation in applicable and lookup and values:
                condition |= Q(**{f"{lookup}__in": values})
        if "owner" in applicable and self.owner and scope.user_id is not None:
            condition |= Q(**{self.owner: scope.user_id})
        if "public" in applicable and self.public is not None and scope.public:
            if not self.public:
                return queryset  # an empty Q: every record is public
            condition |= self.public
        filtered = queryset.filter(condition)
        return filtered.distinct() if self._joins() else filtered

    def _joins(self) -> bool:
        # A lookup through a many-valued relation can repeat rows.
        lookups = (self.agency, self.manager, self.unit, self.owner)
        return any(lookup and "__" in lookup for lookup in lookups)


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
    return policy.filter(queryset, access_scope(user, action), action)


class RestrictedQuerySet(models.QuerySet):
    """`Model.objects.restrict(user, "view")`, as in NetBox."""

    def restrict(self, user: Any, action: str = "view") -> models.QuerySet:
        return restrict(self, user, action)
