# Issue 14: name search on PostgreSQL (helhet.people.selectors.person_list and the KE overview's search in
# helhet.cases.selectors.ke_overview) filters `given_name__icontains=word | family_name__icontains=word`, which Django
# writes as `UPPER("given_name"::text) LIKE UPPER('%word%')`. GIN trigram indexes on exactly those expressions serve
# it (pg_trgm: a bitmap of the rows whose names hold the word's trigrams, instead of reading every person).
#
# PostgreSQL only: SQLite has no pg_trgm (the tests and the development server run there, unindexed). The indexes are
# not in the model state (Person.Meta names them in a comment): a GinIndex in the state would make any later SQLite
# table rebuild of people_person try to create it. pg_trgm is a trusted extension (PostgreSQL 13+): the owner role
# that runs the migrations (helhet_owner, owner of the database) may create it without being a superuser.

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "person_given_name_trgm": "given_name",
    "person_family_name_trgm": "family_name",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "people_person" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0003_person_list_order_index"),
    ]

    operations = [
        TrigramExtension(),  # CREATE EXTENSION IF NOT EXISTS pg_trgm; does nothing on SQLite
        migrations.RunPython(create, drop, elidable=False),
    ]
