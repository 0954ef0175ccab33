from tortoise import fields, migrations
from tortoise.migrations import operations as ops

# The vocabulary the platform starts with (slug, French label, English label); coordinators
# add, rename and retire skills afterwards on /skills.
SEED = (
    ("python", "Python", "Python"),
    ("nsi", "NSI (numérique et sciences informatiques)", "NSI (computer science, upper secondary)"),
    ("snt", "SNT (sciences numériques et technologie)", "SNT (digital science and technology)"),
    ("ia", "Intelligence artificielle", "Artificial intelligence"),
    ("reseaux", "Réseaux", "Networks"),
    ("pedagogie", "Pédagogie", "Teaching methods"),
    ("gestion-de-classe", "Gestion de classe", "Classroom management"),
    ("capes", "Préparation au CAPES", "CAPES preparation"),
)
INSERT = (
    "INSERT INTO skills_skill (slug, label_fr, label_en, retired, created_at) VALUES ({}, FALSE, CURRENT_TIMESTAMP)"
)
POSTGRES_INSERT = INSERT.format("$1, $2, $3")
SQLITE_INSERT = INSERT.format("?, ?, ?")
# A slug is lower-case ASCII words joined by hyphens: the database refuses anything else.
SLUG_CHECK = "slug <> '' AND slug NOT GLOB '*[^a-z0-9-]*' AND slug NOT LIKE '-%' AND slug NOT LIKE '%-'"
POSTGRES_CHECK = "ALTER TABLE skills_skill ADD CONSTRAINT skills_skill_slug CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$')"
SQLITE_CHECK = f"""
CREATE TRIGGER skills_skill_slug_ai BEFORE INSERT ON skills_skill
WHEN NOT ({SLUG_CHECK.replace("slug", "NEW.slug")}) BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: skills_skill_slug');
END;
CREATE TRIGGER skills_skill_slug_au BEFORE UPDATE OF slug ON skills_skill
WHEN NOT ({SLUG_CHECK.replace("slug", "NEW.slug")}) BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: skills_skill_slug');
END;
"""


def _postgres(client) -> bool:
    return client.capabilities.dialect == "postgres"


async def forward(apps, schema_editor) -> None:
    client = schema_editor.client
    await client.execute_script(POSTGRES_CHECK if _postgres(client) else SQLITE_CHECK)
    insert = POSTGRES_INSERT if _postgres(client) else SQLITE_INSERT
    await client.execute_many(insert, [list(row) for row in SEED])


async def backward(apps, schema_editor) -> None:
    client = schema_editor.client
    if _postgres(client):
        await client.execute_script("ALTER TABLE skills_skill DROP CONSTRAINT IF EXISTS skills_skill_slug")
    else:
        await client.execute_script(
            "DROP TRIGGER IF EXISTS skills_skill_slug_ai; DROP TRIGGER IF EXISTS skills_skill_slug_au;"
        )
    await client.execute_query("DELETE FROM skills_skill")


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Skill",
            fields=[
                ("slug", fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40)),
                ("label_fr", fields.CharField(max_length=80)),
                ("label_en", fields.CharField(max_length=80)),
                ("retired", fields.BooleanField(default=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={"table": "skills_skill", "app": "skills", "pk_attr": "slug"},
            bases=["Model"],
        ),
        ops.RunPython(forward, backward),
    ]
