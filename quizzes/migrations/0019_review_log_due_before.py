# Each review log keeps when its card was due just before the rating (issue 19), so that
# "reviews done in time" is a filter on one row instead of a lookup per due review.
# Reviewed by hand: one nullable column, backfilled from each card's previous log.

from django.db import migrations, models

# Cards per UPDATE: each statement sorts and rewrites about twice as many logs, which
# keeps a batch's sort in memory on the 1.2M-log benchmark data set.
CARDS_PER_BATCH = 50_000


def backfill_due_before(apps, schema_editor):
    """Set each log's due_before to its card's previous log's due_after; leave first logs empty."""
    log_model = apps.get_model("quizzes", "ReviewLog")
    connection = schema_editor.connection
    table = connection.ops.quote_name(log_model._meta.db_table)
    # One UPDATE per batch of cards, the previous log found by a window function (LAG),
    # in SQL that PostgreSQL and SQLite (3.33 and later: UPDATE ... FROM) both run.
    sql = (
        f"UPDATE {table} SET due_before = previous.due_before "
        f"FROM (SELECT id, LAG(due_after) OVER "
        f"(PARTITION BY card_id ORDER BY reviewed_at, id) AS due_before "
        f"FROM {table} WHERE card_id >= %s AND card_id < %s) AS previous "
        f"WHERE {table}.id = previous.id AND previous.due_before IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(card_id), MAX(card_id) FROM {table}")
        low, high = cursor.fetchone()
        if low is None:
            return
        for start in range(low, high + 1, CARDS_PER_BATCH):
            cursor.execute(sql, [start, start + CARDS_PER_BATCH])


class Migration(migrations.Migration):

    dependencies = [
        ('quizzes', '0018_review_cards'),
    ]

    operations = [
        migrations.AddField(
            model_name='reviewlog',
            name='due_before',
            field=models.DateTimeField(blank=True, help_text='When the card was due just before this rating; empty for its first rating.', null=True),
        ),
        migrations.RunPython(backfill_due_before, migrations.RunPython.noop),
    ]
