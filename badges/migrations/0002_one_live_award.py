from tortoise import migrations
from tortoise.migrations import operations as ops

# One live (unrevoked) award of a badge class per person: a partial unique index, written the
# same on PostgreSQL and SQLite (Tortoise has no partial indexes). Revoked awards, and those
# kept for verification after their holder's account was deleted, are left out.
FORWARD = (
    "CREATE UNIQUE INDEX badges_award_one_live ON badges_award (badge_class_id, recipient_id) "
    "WHERE revoked_at IS NULL AND recipient_id IS NOT NULL"
)
BACKWARD = "DROP INDEX IF EXISTS badges_award_one_live"


async def forward(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(FORWARD)


async def backward(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("badges", "0001_initial")]

    operations = [ops.RunPython(forward, backward)]
