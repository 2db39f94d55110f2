"""Admin relation fields that treat a malformed id as a form error, never a 500.

Django's autocomplete widgets re-render a bound form by filtering the related
table by the raw submitted values (`AutocompleteMixin.optgroups`), so an id like
"abc" (or one past the column's range) fails the query instead of showing the
field's "Select a valid choice" error; a many-to-many field's own check runs an
`__in` query with the raw values too. `SafeRelationsAdminMixin` swaps in
widgets and a field that look up only the values the related key can hold.
Every ModelAdmin and inline with an autocomplete or many-to-many field uses it
(tests/trainingsite/test_admin_relations.py checks every registered admin).
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import connection, models


def key_value_is_usable(field: models.Field, value) -> bool:
    """True when `value` converts to the field's type and, for integers, fits its column."""
    try:
        python_value = field.to_python(value)
    except ValidationError:
        return False
    if isinstance(python_value, int) and not isinstance(python_value, bool):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return (low is None or python_value >= low) and (high is None or python_value <= high)
    return True


def _related_key_field(relation: models.Field) -> models.Field:
    """The field of the related model that the relation's values are looked up by."""
    remote_opts = relation.remote_field.model._meta
    name = getattr(relation.remote_field, "field_name", None) or remote_opts.pk.attname
    return remote_opts.get_field(name)


class _UsableValuesOnly:
    """Render only the selected values that the related key can hold."""

    def optgroups(self, name, value, attr=None):
        key_field = _related_key_field(self.field)
        usable = [item for item in value if key_value_is_usable(key_field, item)]
        return super().optgroups(name, usable, attr)


class SafeAutocompleteSelect(_UsableValuesOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_UsableValuesOnly, AutocompleteSelectMultiple):
    pass


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuse values the related key cannot hold before they reach an `__in` query."""

    def clean(self, value):
        if isinstance(value, list | tuple):
            opts = self.queryset.model._meta
            key_field = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
            for item in value:
                if item in self.empty_values:
                    continue
                if not key_value_is_usable(key_field, item):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": item},
                    )
        return super().clean(value)


class SafeRelationsAdminMixin:
    """For ModelAdmin and InlineModelAdmin: the safe autocomplete widgets and M2M field."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
