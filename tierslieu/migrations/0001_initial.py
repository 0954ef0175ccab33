import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='OutboxMail',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.IntField(null=True, db_index=True)),
                ('to_address', fields.CharField(max_length=254)),
                ('kind', fields.CharField(max_length=40)),
                ('subject', fields.CharField(max_length=255)),
                ('body_text', fields.TextField(unique=False)),
                ('headers', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('attachments', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('send_after', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'tierslieu_outbox_mail', 'app': 'tierslieu', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SitePage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(max_length=40)),
                ('locale', fields.CharField(max_length=5)),
                ('title', fields.CharField(max_length=200)),
                ('body_markdown', fields.TextField(unique=False)),
                ('body_html', fields.TextField(unique=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('updated_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'tierslieu_site_page', 'app': 'tierslieu', 'unique_together': (('slug', 'locale'),), 'pk_attr': 'id', 'table_description': 'The version of a legal page edited by an admin (privacy, legal notice, accessibility).'},
            bases=['Model'],
        ),
    ]
