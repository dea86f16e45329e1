"""Forms of the indicator pages: the catalogue, data entry, imports."""

from django import forms
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from ioc.indicators.choices import ImportStrategy
from ioc.indicators.models import Indicator
from ioc.indicators.services import CATALOGUE_FIELDS


class _MarkedField(BoundField):
    """Bootstrap's red border on a field with an error."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            base = (widget or self.field.widget).attrs.get("class", "")
            attrs["class"] = f"{base} {attrs.get('class', '')} is-invalid".strip()
            attrs["aria-invalid"] = "true"
        return attrs


class IndicatorForm(forms.ModelForm):
    """The catalogue fields; the services validate and save (formula errors per field)."""

    bound_field_class = _MarkedField

    class Meta:
        model = Indicator
        fields = CATALOGUE_FIELDS
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "numerator": forms.Textarea(attrs={"rows": 2, "class": "font-monospace"}),
            "denominator": forms.Textarea(attrs={"rows": 2, "class": "font-monospace"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, bound in self.fields.items():
            widget = bound.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = f"form-control {widget.attrs.get('class', '')}".strip()
            widget.attrs.setdefault("id", f"id_{name}")

    def _post_clean(self):
        """Skip ModelForm's model validation: the services run it (and the formula's) when
        saving; doing it here too would mutate the instance before indicator_update
        records "before"."""


class ImportForm(forms.Form):
    bound_field_class = _MarkedField
    FORMATS = [
        ("", _("From the file name (.json, .csv, .xlsx)")),
        ("json", _("DHIS2 JSON (dataValueSets)")),
        ("csv", _("DHIS2 CSV")),
        ("xlsx", _("XLSX template")),
    ]

    file = forms.FileField(label=_("File"))
    file_format = forms.ChoiceField(label=_("Format"), choices=FORMATS, required=False)
    strategy = forms.ChoiceField(
        label=_("Strategy"),
        choices=ImportStrategy.choices(),
        initial=ImportStrategy.CREATE_AND_UPDATE,
    )
    structure = forms.ChoiceField(
        label=_("Bare unit codes are"),
        choices=[
            ("current", _("Communes since 1 July 2025")),
            ("legacy", _("Units before 1 July 2025")),
        ],
        initial="current",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["class"] = "form-control"
        for name in ("file_format", "strategy", "structure"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def detected_format(self) -> str:
        chosen = self.cleaned_data.get("file_format")
        if chosen:
            return chosen
        name = self.cleaned_data["file"].name.lower()
        for suffix in ("json", "csv", "xlsx"):
            if name.endswith(f".{suffix}"):
                return suffix
        return ""
