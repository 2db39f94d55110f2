"""Django's loaddata, restoring the audit trail exactly as it was dumped."""

from django.core.management.commands import loaddata

from trainingsite.audit import audit_restoring


class Command(loaddata.Command):
    help = (
        "Install the named fixtures (a backup) in the database. Role memberships in the "
        "fixtures are not audited again: the backup brings its own audit trail."
    )

    def handle(self, *fixture_labels, **options):
        with audit_restoring():
            return super().handle(*fixture_labels, **options)
