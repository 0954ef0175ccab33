import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("tierslieu", "0001_initial")]

    initial = False

    operations = [
        ops.AddField(
            model_name="OutboxMail",
            name="composer",
            field=fields.CharField(default="", max_length=60),
        ),
        ops.AddField(
            model_name="OutboxMail",
            name="params",
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads),
        ),
    ]
