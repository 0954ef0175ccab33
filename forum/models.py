"""The forum's tables: categories, tags, topics, posts, votes, moderation, watching, reading."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

# (No docstrings on models: Tortoise copies them into SQL comments unescaped.)


class TopicKind(StrEnum):
    QUESTION = "question"
    DISCUSSION = "discussion"


class Category(Model):
    # A category; ``parent`` allows one level of nesting.
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=80, unique=True)
    name = fields.CharField(max_length=80)
    description = fields.TextField(default="")
    parent: fields.ForeignKeyNullableRelation[Category] = fields.ForeignKeyField(
        "forum.Category", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    position = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "forum_category"
        ordering = ("position", "name")


class Tag(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=30, unique=True)

    class Meta:
        table = "forum_tag"


class Topic(Model):
    id = fields.IntField(primary_key=True)
    category: fields.ForeignKeyRelation[Category] = fields.ForeignKeyField(
        "forum.Category", related_name="topics", on_delete=fields.RESTRICT
    )
    author: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.User", related_name="forum_topics", on_delete=fields.RESTRICT
    )
    title = fields.CharField(max_length=150)
    kind = fields.CharEnumField(TopicKind, max_length=12)
    tags: fields.ManyToManyRelation[Tag] = fields.ManyToManyField(
        "forum.Tag", related_name="topics", through="forum_topic_tag", forward_key="tag_id", backward_key="topic_id"
    )
    # the accepted answer (a post of this topic), kept as a plain id to avoid a cycle
    solved_post_id = fields.IntField(null=True)
    post_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    last_post_at = fields.DatetimeField(db_index=True)
    locked_at = fields.DatetimeField(null=True)
    hidden_at = fields.DatetimeField(null=True)
    pinned = fields.BooleanField(default=False)

    class Meta:
        table = "forum_topic"


class Post(Model):
    # ``number`` is the position in the topic (1 = the opening post), dense and stable.
    id = fields.IntField(primary_key=True)
    topic: fields.ForeignKeyRelation[Topic] = fields.ForeignKeyField(
        "forum.Topic", related_name="posts", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.User", related_name="forum_posts", on_delete=fields.RESTRICT
    )
    number = fields.IntField()
    body_markdown = fields.TextField()
    body_html = fields.TextField()
    score = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    edited_at = fields.DatetimeField(null=True)
    hidden_at = fields.DatetimeField(null=True)

    class Meta:
        table = "forum_post"
        unique_together = (("topic", "number"),)


class PostRevision(Model):
    # The text of a post before each edit.
    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "forum.Post", related_name="revisions", on_delete=fields.CASCADE
    )
    editor: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.User", related_name="forum_revisions", on_delete=fields.RESTRICT
    )
    title = fields.CharField(max_length=150, default="")
    body_markdown = fields.TextField()
    body_html = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "forum_post_revision"


class Vote(Model):
    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "forum.Post", related_name="votes", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.User", related_name="forum_votes", on_delete=fields.CASCADE
    )
    value = fields.SmallIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "forum_vote"
        unique_together = (("post", "user"),)


class Flag(Model):
    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "forum.Post", related_name="flags", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.User", related_name="forum_flags", on_delete=fields.CASCADE
    )
    reason = fields.CharField(max_length=500)
    created_at = fields.DatetimeField(auto_now_add=True)
    resolved_at = fields.DatetimeField(null=True, db_index=True)
    resolved_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "accounts.User", related_name="forum_flags_resolved", null=True, on_delete=fields.SET_NULL
    )
    resolution = fields.CharField(max_length=20, default="")

    class Meta:
        table = "forum_flag"
        unique_together = (("post", "user"),)


class ModerationEntry(Model):
    # Who did what, to which topic or post, and why.
    id = fields.IntField(primary_key=True)
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "accounts.User", related_name="forum_moderation", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=30)
    topic: fields.ForeignKeyNullableRelation[Topic] = fields.ForeignKeyField(
        "forum.Topic", related_name="moderation", null=True, on_delete=fields.SET_NULL
    )
    post: fields.ForeignKeyNullableRelation[Post] = fields.ForeignKeyField(
        "forum.Post", related_name="moderation", null=True, on_delete=fields.SET_NULL
    )
    reason = fields.TextField(default="")
    details: dict = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "forum_moderation_entry"


class Watch(Model):
    # A person follows a topic or a whole category.
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.User", related_name="forum_watches", on_delete=fields.CASCADE
    )
    topic: fields.ForeignKeyNullableRelation[Topic] = fields.ForeignKeyField(
        "forum.Topic", related_name="watches", null=True, on_delete=fields.CASCADE
    )
    category: fields.ForeignKeyNullableRelation[Category] = fields.ForeignKeyField(
        "forum.Category", related_name="watches", null=True, on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "forum_watch"
        unique_together = (("user", "topic"), ("user", "category"))


class ReadState(Model):
    # How far a person has read a topic (the highest post number seen).
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.User", related_name="forum_reads", on_delete=fields.CASCADE
    )
    topic: fields.ForeignKeyRelation[Topic] = fields.ForeignKeyField(
        "forum.Topic", related_name="reads", on_delete=fields.CASCADE
    )
    last_read_number = fields.IntField(default=0)

    class Meta:
        table = "forum_read_state"
        unique_together = (("user", "topic"),)


class SearchEntry(Model):
    # Plain text of a post (and its topic's title) for full-text search; the index over it
    # is dialect-specific (migration 0002): FTS5 on SQLite, a tsvector column on PostgreSQL.
    id = fields.IntField(primary_key=True)
    post: fields.OneToOneRelation[Post] = fields.OneToOneField(
        "forum.Post", related_name="search_entry", on_delete=fields.CASCADE
    )
    topic_id = fields.IntField(db_index=True)
    title = fields.TextField()
    body = fields.TextField()

    class Meta:
        table = "forum_search_entry"


class MentionName(Model):
    # How a person is found from an @handle: their display name folded (case, accents and
    # punctuation dropped) whole ("sophielaurent") and word by word (" sophie laurent"),
    # made from ``display_name`` and made again when the account's name differs from it
    # (forum.mentions.refresh_names).
    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation = fields.OneToOneField(
        "accounts.User", related_name="forum_mention_name", on_delete=fields.CASCADE
    )
    display_name = fields.CharField(max_length=80)
    handle_key = fields.CharField(max_length=255, db_index=True)
    words_key = fields.CharField(max_length=255)

    class Meta:
        table = "forum_mention_name"
