"""Reporting units in memory: how an orgUnit code is resolved, and where a value rolls up.

Roll-up rules (docs/indicators.md, "Aggregation across areas"):
- an administrative unit rolls up to its parents in its own structure;
- across the July 2025 reorganisation, every commune has one counterpart in the other
  structure: a legacy commune its successor (the whole one first, then the lowest code),
  a current commune the legacy district most of its predecessors belonged to (then the
  lowest code); a facility has its commune and its legacy district;
- the legacy and the current province of the deployment cover the same area, so each
  value reaches both, once.
Every value therefore reaches exactly one current commune and one legacy district (when
it is reported at commune level or below) and each province once: grouping by either
structure gives the same totals, and nothing is counted twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import NamedTuple

from django.conf import settings
from django.utils.translation import gettext as _

from ioc.geo.choices import Level, Structure
from ioc.geo.models import AdminUnit, UnitSuccession
from ioc.indicators.choices import AreaAggregation, DataValueStatus
from ioc.indicators.models import DataValue, Facility, OrgUnit

FACILITY = "facility"
PREFIXES = (Structure.LEGACY, Structure.CURRENT, FACILITY)


DEFAULT_POPULATION_INDICATOR = "SE_POPULATION"


def population_indicator_code() -> str:
    """The indicator whose values are the units' populations (the weights of
    population-weighted averages)."""
    return getattr(settings, "IOC_INDICATORS_POPULATION_INDICATOR", DEFAULT_POPULATION_INDICATOR)


def reported_populations() -> dict[int, int]:
    """Each org unit's latest counted value of the population indicator."""
    rows = (
        DataValue.objects.filter(
            indicator__code=population_indicator_code(),
            deleted_at__isnull=True,
            status__in=DataValueStatus.COUNTED,
        )
        .order_by("period_start")
        .values_list("org_unit_id", "value")
    )
    return {org_unit_id: int(value) for org_unit_id, value in rows}  # the latest wins


class UnitError(ValueError):
    """An orgUnit code that names no unit of the deployment; the message names it."""


class Unit(NamedTuple):
    """One reporting unit as the engine sees it (a named tuple: a page loads thousands)."""

    org_unit_id: int
    code: str
    structure: str  # "legacy", "current" or "facility"
    level: str  # "province", "district", "commune" or "facility"
    name: str
    name_en: str
    population: int | None  # the population indicator's latest value, else the admin unit's
    admin_unit_id: int | None
    facility_id: int | None
    valid_to: date | None = None  # the last day of a legacy unit

    @property
    def qualified_code(self) -> str:
        """The code with its prefix (`legacy:22918`), unambiguous everywhere."""
        return f"{self.structure}:{self.code}"

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


class Hierarchy:
    """The deployment's reporting units and their roll-up targets, built from the database."""

    def __init__(self) -> None:
        self.units: dict[int, Unit] = {}  # by org unit id
        self.by_code: dict[str, dict[str, Unit]] = {key: {} for key in PREFIXES}
        self._rollup: dict[int, tuple[int, ...]] = {}
        self._equivalents: dict[int, tuple[int, ...]] = {}
        self._descendants: dict[int, set[int]] | None = None

    # -- building -------------------------------------------------------------------------

    @classmethod
    def load(cls, *, ensure: bool = True) -> Hierarchy:
        """Read every unit; `ensure` first gives each admin unit its OrgUnit row (a write)."""
        if ensure:
            org_units_ensure()
        hierarchy = cls()
        hierarchy._build()
        return hierarchy

    def _build(self) -> None:
        org_of_admin: dict[int, int] = {}
        org_of_facility: dict[int, int] = {}
        for pk, admin_id, facility_id in OrgUnit.objects.values_list(
            "id", "admin_unit_id", "facility_id"
        ):
            if admin_id is not None:
                org_of_admin[admin_id] = pk
            else:
                org_of_facility[facility_id] = pk
        admins = {
            row[0]: row
            for row in AdminUnit.objects.values_list(
                "id",
                "code",
                "structure",
                "level",
                "parent_id",
                "name",
                "name_en",
                "population",
                "valid_to",
            )
        }
        reported = reported_populations()
        for row in admins.values():
            pk, code, structure, level, _parent, name, name_en, population, valid_to = row
            if pk in org_of_admin:
                unit = Unit(
                    org_of_admin[pk],
                    code,
                    structure,
                    level,
                    name,
                    name_en,
                    reported.get(org_of_admin[pk], population),
                    pk,
                    None,
                    valid_to,
                )
                self.units[unit.org_unit_id] = unit
                self.by_code[structure][code] = unit

        def chain(admin_id: int | None) -> list[int]:
            ids = []
            while admin_id is not None and admin_id in admins:
                ids.append(admin_id)
                admin_id = admins[admin_id][4]
            return ids

        successors: dict[int, list[tuple[bool, str, int]]] = defaultdict(list)
        predecessor_districts: dict[int, Counter] = defaultdict(Counter)
        for predecessor, successor, partial in UnitSuccession.objects.values_list(
            "predecessor_id", "successor_id", "partial"
        ):
            if predecessor in admins and successor in admins:
                successors[predecessor].append((partial, admins[successor][1], successor))
                district = admins[predecessor][4]
                if district is not None:
                    predecessor_districts[successor][district] += 1

        def primary_successor(admin_id: int) -> int | None:
            options = sorted(successors.get(admin_id, ()))
            return options[0][2] if options else None

        def primary_district(admin_id: int) -> int | None:
            counts = predecessor_districts.get(admin_id)
            if not counts:
                return None
            return min(counts, key=lambda d: (-counts[d], admins[d][1]))

        # The provinces of both structures that cover the same area.
        province_peers: dict[int, set[int]] = defaultdict(set)
        for predecessor, options in successors.items():
            legacy_chain = chain(predecessor)
            for _partial, _code, successor in options:
                current_chain = chain(successor)
                if legacy_chain and current_chain:
                    legacy_top, current_top = legacy_chain[-1], current_chain[-1]
                    if admins[legacy_top][3] == Level.PROVINCE == admins[current_top][3]:
                        province_peers[legacy_top].add(current_top)
                        province_peers[current_top].add(legacy_top)

        def with_peers(admin_ids: list[int]) -> list[int]:
            result = list(admin_ids)
            for admin_id in admin_ids:
                result.extend(sorted(province_peers.get(admin_id, ())))
            return result

        def targets(admin_ids: list[int]) -> tuple[int, ...]:
            seen: dict[int, None] = {}
            for admin_id in with_peers(admin_ids):
                if admin_id in org_of_admin:
                    seen.setdefault(org_of_admin[admin_id], None)
            return tuple(seen)

        for admin_id, row in admins.items():
            if admin_id not in org_of_admin:
                continue
            structure, level = row[2], row[3]
            own = chain(admin_id)
            counterpart: int | None = None
            if level == Level.COMMUNE:
                counterpart = (
                    primary_successor(admin_id)
                    if structure == Structure.LEGACY
                    else primary_district(admin_id)
                )
            org_id = org_of_admin[admin_id]
            self._rollup[org_id] = targets(own + chain(counterpart))
            self._equivalents[org_id] = targets([admin_id])

        # Facilities share their commune's targets: computed once per (commune, district).
        shared: dict[tuple[int, int | None], tuple[int, ...]] = {}
        for pk, code, name, name_en, commune_id, district_id in Facility.objects.values_list(
            "id", "code", "name", "name_en", "commune_id", "legacy_district_id"
        ):
            if pk not in org_of_facility:
                continue
            org_id = org_of_facility[pk]
            unit = Unit(org_id, code, FACILITY, FACILITY, name, name_en, None, None, pk)
            self.units[org_id] = unit
            self.by_code[FACILITY][code] = unit
            above = shared.get((commune_id, district_id))
            if above is None:
                district = district_id or primary_district(commune_id)
                above = shared[(commune_id, district_id)] = targets(
                    chain(commune_id) + chain(district)
                )
            self._rollup[org_id] = (org_id, *above)
            self._equivalents[org_id] = (org_id,)

    # -- reading --------------------------------------------------------------------------

    def rollup(self, org_unit_id: int, aggregation: str) -> tuple[int, ...]:
        """The org units a value reported at `org_unit_id` counts in (itself first)."""
        if aggregation == AreaAggregation.NONE:
            return self._equivalents[org_unit_id]
        return self._rollup[org_unit_id]

    def descendants(self, org_unit_id: int) -> set[int]:
        """The units whose values count in `org_unit_id` (itself included)."""
        if self._descendants is None:
            found: dict[int, set[int]] = defaultdict(set)
            for source, targets in self._rollup.items():
                for target in targets:
                    found[target].add(source)
            self._descendants = found
        return self._descendants.get(org_unit_id, {org_unit_id})

    def resolve(self, code: str, *, structure: str | None = None) -> Unit:
        """The unit an orgUnit code names; UnitError naming the code if none.

        `legacy:22918`, `current:22918`, `facility:BV-01`: exactly that unit. A bare code is
        looked up in `structure` (default: current), then among facilities, then in the
        other structure.
        """
        text = (code or "").strip()
        prefix, separator, rest = text.partition(":")
        if separator and prefix.lower() in PREFIXES:
            unit = self.by_code[prefix.lower()].get(rest.strip())
            if unit is None:
                raise UnitError(
                    _("“%(code)s” is not a reporting unit of this deployment.") % {"code": code}
                )
            return unit
        preferred = structure or Structure.CURRENT
        if preferred not in (Structure.LEGACY, Structure.CURRENT):
            raise UnitError(
                _("Unknown structure “%(structure)s”: use legacy or current.")
                % {"structure": structure}
            )
        other = Structure.LEGACY if preferred == Structure.CURRENT else Structure.CURRENT
        for key in (preferred, FACILITY, other):
            unit = self.by_code[key].get(text)
            if unit is not None:
                return unit
        raise UnitError(
            _("“%(code)s” is not a reporting unit of this deployment.") % {"code": code}
        )


def org_units_ensure() -> None:
    """Give every administrative unit its OrgUnit row (facilities get theirs when created)."""
    missing = AdminUnit.objects.filter(org_unit__isnull=True).values_list("id", flat=True)
    OrgUnit.objects.bulk_create([OrgUnit(admin_unit_id=pk) for pk in missing])
