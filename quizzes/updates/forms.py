"""The material-change fields that the question and checklist admins add to their forms."""

from django import forms

MATERIAL_CHANGE_LABEL = "Material change: certified trainees must update"
MATERIAL_CHANGE_HELP = (
    "Tick when this edit changes what practitioners should do. Every certified trainee of "
    "a program that depends on it gets an update to complete within the program's window "
    "(or the certificate expires early). Leave it unticked for typo fixes."
)
MATERIAL_FIELDSET = (
    "Material change",
    {"fields": ["material_change", "change_summary"]},
)


class MaterialChangeFields(forms.Form):
    """Two unsaved fields: whether the edit is material, and one line saying what changed."""

    material_change = forms.BooleanField(
        label=MATERIAL_CHANGE_LABEL, required=False, help_text=MATERIAL_CHANGE_HELP
    )
    change_summary = forms.CharField(
        label="What changed",
        required=False,
        max_length=250,
        help_text="For a material change: one line that certified trainees will read.",
    )
