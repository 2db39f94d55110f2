# API tokens (stored as SHA-256 digests only) and the stored answers of idempotent API
# requests. Reviewed by hand: no data to move, two new tables.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('quizzes', '0015_practice_immediate_feedback'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='What the token is for, e.g. the HR system.', max_length=100)),
                ('prefix', models.CharField(help_text="The token's first characters, shown to recognise it.", max_length=8)),
                ('digest', models.CharField(help_text='SHA-256 of the whole token (never stored).', max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('expires_at', models.DateTimeField(blank=True, help_text='Empty: the token never expires.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, null=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'API token',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ApiIdempotencyKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=255)),
                ('fingerprint', models.CharField(help_text="SHA-256 of the request's method, path and body.", max_length=64)),
                ('response_status', models.PositiveSmallIntegerField()),
                ('response_body', models.TextField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('token', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='idempotency_keys', to='quizzes.apitoken')),
            ],
            options={
                'verbose_name': 'API idempotency key',
            },
        ),
        migrations.AddIndex(
            model_name='apitoken',
            index=models.Index(fields=['owner', 'created_at'], name='api_token_owner_created'),
        ),
        migrations.AddConstraint(
            model_name='apiidempotencykey',
            constraint=models.UniqueConstraint(fields=('token', 'key'), name='api_idempotency_key_once'),
        ),
    ]
