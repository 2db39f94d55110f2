# Webhook endpoints and their signed deliveries (issue 20). Reviewed by hand: two new
# tables, no data to move; a delivery is unique per (endpoint, event id).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('quizzes', '0016_api_tokens'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='WebhookEndpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('url', models.URLField(help_text='Where the events are posted: an https:// address.', max_length=2000)),
                ('events', models.JSONField(default=list, help_text='The event types this endpoint receives.')),
                ('secret', models.CharField(help_text="The signing secret (whsec_…), shown to the endpoint's owner.", max_length=80)),
                ('active', models.BooleanField(default=True, help_text='Disabled endpoints receive nothing.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_endpoints', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'webhook endpoint',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_type', models.CharField(choices=[('certificate.issued', 'Certificate issued'), ('certificate.revoked', 'Certificate revoked'), ('certificate.expiring_soon', 'Certificate expiring soon'), ('certificate.expired', 'Certificate expired'), ('trainee.overdue', 'Trainee overdue'), ('attempt.submitted', 'Attempt submitted'), ('webhook.test', 'Test event')], max_length=40)),
                ('event_id', models.UUIDField(help_text='The webhook-id header: the same on every try.')),
                ('payload', models.JSONField(help_text="The event as posted (the body's JSON).")),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], default='pending', max_length=10)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('last_status_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True)),
                ('next_attempt_at', models.DateTimeField(blank=True, null=True)),
                ('delivered_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('endpoint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='quizzes.webhookendpoint')),
            ],
            options={
                'verbose_name': 'webhook delivery',
                'verbose_name_plural': 'webhook deliveries',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.AddIndex(
            model_name='webhookendpoint',
            index=models.Index(fields=['owner', 'created_at'], name='webhook_endpoint_owner'),
        ),
        migrations.AddIndex(
            model_name='webhookdelivery',
            index=models.Index(fields=['status', 'next_attempt_at'], name='webhook_delivery_due'),
        ),
        migrations.AddConstraint(
            model_name='webhookdelivery',
            constraint=models.UniqueConstraint(fields=('endpoint', 'event_id'), name='webhook_delivery_once_per_endpoint'),
        ),
        migrations.AddConstraint(
            model_name='webhookdelivery',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'succeeded'), _negated=True), ('delivered_at__isnull', False), _connector='OR'), name='webhook_delivery_succeeded_has_time'),
        ),
    ]
