"""Forms of the field reports' pages: what the citizen sends, follows and rates, and the
staff's actions. They only check the shape of the input; the services check the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ioc.reports.choices import RejectReason
from ioc.reports.services.common import MAX_PHOTOS

UNKNOWN_CATEGORY = "unknown"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several files in one input; each is checked by content by the services."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*", "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [file for file in (data if isinstance(data, list | tuple) else [data]) if file]
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("At most %(count)s photos may be sent.") % {"count": MAX_PHOTOS}
            )
        return [super(MultiplePhotoField, self).clean(file, initial) for file in files]


class ReportForm(forms.Form):
    """A citizen's report; lat/lon come from the phone's GPS or a pin on the map."""

    category = forms.ChoiceField(label=_("What is the problem about?"))
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Describe the problem.")},
    )
    photos = MultiplePhotoField(
        label=_("Photos (1 to 5)"),
        error_messages={"required": _("Add at least one photo of the problem.")},
    )
    lat = forms.FloatField(
        widget=forms.HiddenInput,
        min_value=-90,
        max_value=90,
        error_messages={
            "required": _("Show where the problem is: use your position or tap the map.")
        },
    )
    lon = forms.FloatField(
        widget=forms.HiddenInput,
        min_value=-180,
        max_value=180,
        error_messages={
            "required": _("Show where the problem is: use your position or tap the map.")
        },
    )
    address = forms.CharField(
        label=_("Address or landmark (optional)"), max_length=500, required=False
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)
    anonymous = forms.BooleanField(label=_("Do not show my name to the agency"), required=False)
    device_id = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, *args, categories=(), language: str = "vi", **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Choose…")), (UNKNOWN_CATEGORY, _("I don't know"))]
        groups: dict[str, list[tuple[str, str]]] = {}
        for category in categories:
            groups.setdefault(category.display_group(language) or "", []).append(
                (category.code, category.display_name(language))
            )
        for group, options in groups.items():
            choices.append((group, options) if group else options[0])
        self.fields["category"].choices = choices
        self.fields["category"].widget.attrs.update(
            {"class": "form-select form-select-lg", "data-draft": ""}
        )

    def clean(self):
        cleaned = super().clean()
        # One message for the place, on the field the citizen sees (the map).
        if "lon" in self.errors and "lat" in self.errors:
            del self.errors["lon"]
        return cleaned


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"placeholder": "PA-2611-7K3Q9M", "autocapitalize": "characters"}
        ),
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose from 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# -- staff actions ----------------------------------------------------------------------


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, so the templates stay short."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            elif not isinstance(
                widget, forms.HiddenInput | forms.CheckboxInput | forms.RadioSelect
            ):
                widget.attrs.setdefault("class", "form-control form-control-sm")


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class AssignForm(StyledForm):
    agency = AgencyChoiceField(label=_("Agency"), queryset=None)
    reason = forms.CharField(label=_("Note (optional)"), max_length=1000, required=False)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class TransferForm(StyledForm):
    agency = AgencyChoiceField(
        label=_("To agency"),
        queryset=None,
        required=False,
        empty_label=_("Back to the operators (triage)"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=1000)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class AnswerForm(StyledForm):
    text = forms.CharField(
        label=_("Text"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    public = forms.TypedChoiceField(
        label=_("Who sees it"),
        coerce=lambda value: value == "public",
        choices=[("public", _("Public answer to the citizen")), ("internal", _("Internal note"))],
        initial="public",
    )


class ResolveForm(StyledForm):
    answer = forms.CharField(
        label=_("Answer to the citizen"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    proof_photos = MultiplePhotoField(label=_("Proof-of-fix photos (optional)"), required=False)


class RejectForm(StyledForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=RejectReason.choices)
    note = forms.CharField(label=_("Explanation"), max_length=1000, required=False)


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class MergeForm(StyledForm):
    """Merge the report, a duplicate, into the main report named by its tracking code."""

    into = forms.CharField(label=_("Tracking code of the main report"), max_length=20)

    def clean_into(self) -> str:
        return self.cleaned_data["into"].strip().upper()


class ExtensionForm(StyledForm):
    until = forms.DateField(label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Why more time is needed"), max_length=1000)


class ExtensionDecisionForm(StyledForm):
    extension = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda value: value == "approve",
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=1000, required=False)


class BulkForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("assign", _("Assign to an agency")), ("start", _("Mark in progress"))]
    )
    reports = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), error_messages={"required": _("Tick at least one report.")}
    )
    agency = AgencyChoiceField(label=_("Agency"), queryset=None, required=False)

    def __init__(self, *args, report_ids=(), agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reports"].choices = [(pk, str(pk)) for pk in report_ids]
        self.fields["agency"].queryset = agencies

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "assign" and not cleaned.get("agency"):
            self.add_error("agency", _("Choose the agency."))
        return cleaned
