"""Threshold rules evaluated when values change; a true rule leaves an IndicatorAlert that
the operations centre reads, and a rule no longer true withdraws its open alert."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from ioc.indicators.choices import ThresholdKind
from ioc.indicators.models import IndicatorAlert, ThresholdRule, readable_decimal


def rules_evaluate(touched: dict[int, set[tuple[int, str]]]) -> int:
    """Evaluate the active rules of the indicators whose figures changed, for each changed
    (org unit, period) of the indicator's own period type; returns the alerts raised.

    One query reads every changed figure of a rule and one its open alerts, so a large
    import with rules stays fast.
    """
    if not touched:
        return 0
    from ioc.indicators.aggregation import period
    from ioc.indicators.analytics import analytics_values

    rules = ThresholdRule.objects.filter(indicator_id__in=touched, is_active=True).select_related(
        "indicator"
    )
    raised = 0
    for rule in rules:
        indicator = rule.indicator
        pairs = sorted(
            (unit, period_id)
            for unit, period_id in touched[indicator.pk]
            if (rule.org_unit_id is None or rule.org_unit_id == unit)
            and str(period(period_id).type) == indicator.period_type
        )
        if not pairs:
            continue
        units = {unit for unit, _p in pairs}
        periods = {period_id for _u, period_id in pairs}
        values = analytics_values(indicator=rule.indicator, periods=periods, units=units)
        open_alerts = {
            (alert.org_unit_id, alert.period): alert
            for alert in IndicatorAlert.objects.filter(
                rule=rule, org_unit_id__in=units, period__in=periods
            )
        }
        withdrawn = []
        for unit, period_id in pairs:
            value = values.get((unit, period_id))
            message = _check(rule, unit, period_id, value) if value is not None else None
            alert = open_alerts.get((unit, period_id))
            if message is None:
                if alert is not None and alert.acknowledged_at is None:
                    withdrawn.append(alert.pk)
                continue
            raised += 1
            if alert is None:
                IndicatorAlert.objects.create(
                    rule=rule,
                    indicator=indicator,
                    org_unit_id=unit,
                    period=period_id,
                    value=value,
                    message=message,
                )
            elif (alert.value, alert.message) != (value, message):
                alert.value, alert.message = value, message
                alert.save(update_fields=["value", "message", "updated_at"])
        if withdrawn:
            IndicatorAlert.objects.filter(pk__in=withdrawn).delete()
    return raised


def _check(rule: ThresholdRule, org_unit_id: int, period_id: str, value: Decimal) -> str | None:
    """The alert's message if the rule holds for this figure, else None."""
    from ioc.indicators.analytics import achievement, period_on_period

    indicator = rule.indicator

    def names(**more: str) -> dict[str, str]:
        # Formatted only for a message: most figures raise none.
        return {
            "code": indicator.code,
            "period": period_id,
            "value": readable_decimal(value),
            "limit": readable_decimal(rule.threshold),
            **more,
        }

    if rule.kind == ThresholdKind.ABOVE and value > rule.threshold:
        return _("%(code)s %(period)s: %(value)s is above %(limit)s.") % names()
    if rule.kind == ThresholdKind.BELOW and value < rule.threshold:
        return _("%(code)s %(period)s: %(value)s is below %(limit)s.") % names()
    if rule.kind == ThresholdKind.CHANGE:
        change = period_on_period(indicator=indicator, period=period_id, unit=org_unit_id)
        if change.change_pct is not None and abs(change.change_pct) > rule.threshold:
            return _("%(code)s %(period)s: changed by %(change)s%% vs the previous period.") % (
                names(change=readable_decimal(change.change_pct, decimal_pos=2))
            )
    if rule.kind == ThresholdKind.OFF_TARGET:
        result = achievement(indicator=indicator, period=period_id, unit=org_unit_id)
        if result.actual is not None and result.expected:
            pct = (result.actual / result.expected * 100).quantize(Decimal("0.01"))
            if pct < rule.threshold:
                return _("%(code)s %(period)s: %(pct)s%% of the expected target.") % (
                    names(pct=readable_decimal(pct, decimal_pos=2))
                )
    return None
