"""Two indexes of bookings cover the queries that read them most: the overlap checks
(the SQLite triggers, the pre-check before an insert) and busy times read
(room_id, ends_at, starts_at, status); the weekly quota reads (user_id, starts_at,
ends_at, status). Neither query visits the table any more.
"""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("bookings", "0002_no_overlap")]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name="Booking",
            name=None,
            fields=["room_id", "ends_at"],
        ),
        ops.RemoveIndex(
            model_name="Booking",
            name=None,
            fields=["user_id", "starts_at"],
        ),
        ops.AddIndex(
            model_name="Booking",
            index=Index(fields=["room_id", "ends_at", "starts_at", "status"]),
        ),
        ops.AddIndex(
            model_name="Booking",
            index=Index(fields=["user_id", "starts_at", "ends_at", "status"]),
        ),
    ]
