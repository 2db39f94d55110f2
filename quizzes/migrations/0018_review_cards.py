# Spaced review (issue 19): cards per trainee and point with their FSRS memory state, the
# review log and the nudge setting; attempts gain the review kind, one open session per
# trainee. Reviewed by hand: new tables and a constraint, no data to move.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('lessons', '0002_lesson_content_changed_at'),
        ('quizzes', '0017_webhooks'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReviewCard',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('point', models.CharField(help_text="'group:<variant group>', or 'question:<id>' for a lone question.", max_length=80)),
                ('critical', models.BooleanField(default=False, help_text='A safety point: kept on the shorter critical interval.')),
                ('state', models.PositiveSmallIntegerField(choices=[(1, 'Learning'), (2, 'Review'), (3, 'Relearning')], default=1)),
                ('step', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('stability', models.FloatField(blank=True, help_text='Days until recall falls to 90%.', null=True)),
                ('difficulty', models.FloatField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(10)])),
                ('due', models.DateTimeField()),
                ('last_review', models.DateTimeField(blank=True, null=True)),
                ('reps', models.PositiveIntegerField(default=0)),
                ('lapses', models.PositiveIntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['user_id', 'due', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ReviewLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rating', models.PositiveSmallIntegerField(choices=[(1, 'Again'), (2, 'Hard'), (3, 'Good'), (4, 'Easy')])),
                ('source', models.CharField(choices=[('practice', 'Practice'), ('review', 'Review session'), ('exam', 'Exam')], max_length=10)),
                ('reviewed_at', models.DateTimeField()),
                ('due_after', models.DateTimeField(help_text='When the card became due again.')),
            ],
            options={
                'ordering': ['card_id', 'reviewed_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ReviewPreference',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('nudges', models.BooleanField(default=True, help_text='At most once a week, with the reminders.', verbose_name='e-mail me when questions are due for review')),
                ('nudged_at', models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.AlterField(
            model_name='attempt',
            name='kind',
            field=models.CharField(choices=[('graded', 'Graded'), ('practice', 'Practice'), ('review', 'Review')], default='graded', max_length=10),
        ),
        migrations.AddConstraint(
            model_name='attempt',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'review'), ('state', 'in_progress')), fields=('user',), name='one_open_review_session_per_user'),
        ),
        migrations.AddField(
            model_name='reviewcard',
            name='question',
            field=models.ForeignKey(help_text='The practice question last shown for this point.', on_delete=django.db.models.deletion.CASCADE, related_name='review_cards', to='quizzes.question'),
        ),
        migrations.AddField(
            model_name='reviewcard',
            name='topic',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='lessons.topic'),
        ),
        migrations.AddField(
            model_name='reviewcard',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='review_cards', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='reviewlog',
            name='attempt',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='quizzes.attempt'),
        ),
        migrations.AddField(
            model_name='reviewlog',
            name='card',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='logs', to='quizzes.reviewcard'),
        ),
        migrations.AddField(
            model_name='reviewlog',
            name='question',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='quizzes.question'),
        ),
        migrations.AddField(
            model_name='reviewpreference',
            name='user',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='review_preference', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='reviewcard',
            index=models.Index(fields=['user', 'due'], name='review_card_user_due'),
        ),
        migrations.AddConstraint(
            model_name='reviewcard',
            constraint=models.UniqueConstraint(fields=('user', 'point'), name='one_review_card_per_point'),
        ),
        migrations.AddConstraint(
            model_name='reviewcard',
            constraint=models.CheckConstraint(condition=models.Q(('stability__isnull', True), ('stability__gt', 0), _connector='OR'), name='review_card_stability_positive'),
        ),
        migrations.AddConstraint(
            model_name='reviewcard',
            constraint=models.CheckConstraint(condition=models.Q(('difficulty__isnull', True), models.Q(('difficulty__gte', 1), ('difficulty__lte', 10)), _connector='OR'), name='review_card_difficulty_range'),
        ),
        migrations.AddIndex(
            model_name='reviewlog',
            index=models.Index(fields=['card', 'reviewed_at'], name='review_log_card_time'),
        ),
        migrations.AddConstraint(
            model_name='reviewlog',
            constraint=models.CheckConstraint(condition=models.Q(('rating__gte', 1), ('rating__lte', 4)), name='review_log_rating_range'),
        ),
    ]
