# The webhook actions of the audit trail (choices only: no schema change on PostgreSQL).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('trainingsite', '0008_audit_api_token_actions'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('attempt.submitted', 'Attempt submitted'), ('attempt.expired', 'Attempt closed at its time limit'), ('attempt.regraded', 'Attempt regraded'), ('certificate.issued', 'Certificate issued'), ('certificate.revoked', 'Certificate revoked'), ('content.published', 'Content published'), ('content.unpublished', 'Content unpublished'), ('content.reread_required', 'Content changed: re-read required'), ('role.changed', 'Role changed'), ('cohort.membership_changed', 'Cohort membership changed'), ('cohort.invitation_sent', 'Cohort invitation sent'), ('cohort.invitation_closed', 'Cohort invitation declined or withdrawn'), ('cohort.join_code_changed', 'Join code changed'), ('account.email_confirmed', 'E-mail address confirmed'), ('import.csv', 'CSV import'), ('import.questions', 'Questions imported'), ('accommodation.granted', 'Accommodation granted'), ('cpd.entry_approved', 'CPD entry approved'), ('cpd.entry_rejected', 'CPD entry rejected'), ('observation.recorded', 'Observed practice recorded'), ('observation.acknowledged', 'Observation acknowledged'), ('answer.marked', 'Written answer marked'), ('attempt.marked', 'Attempt marked and scored'), ('attestation.signed', 'Attestation signed'), ('api.token_created', 'API token created'), ('api.token_revoked', 'API token revoked'), ('webhook.endpoint_created', 'Webhook endpoint created'), ('webhook.endpoint_changed', 'Webhook endpoint disabled or deleted'), ('webhook.replayed', 'Webhook delivery replayed')], db_index=True, max_length=40),
        ),
    ]
