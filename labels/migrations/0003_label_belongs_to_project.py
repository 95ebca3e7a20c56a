"""The database itself refuses a label from another project's label set.

A foreign key only says the label exists; these triggers also check that an annotation's
label, paragraph and assignment, and a gold label's label and paragraph, all belong to the
same project (and the annotation's paragraph to its assignment's article). The app never
writes such a row; this guards against bugs, scripts and hand-written SQL.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION labels_annotation_in_project() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1
        FROM labels_paragraph p
        JOIN labels_article a ON a.id = p.article_id
        JOIN labels_label l ON l.project_id = a.project_id
        JOIN labels_assignment s ON s.article_id = p.article_id
        WHERE p.id = NEW.paragraph_id AND l.id = NEW.label_id AND s.id = NEW.assignment_id
    ) THEN
        RAISE EXCEPTION 'annotation: label % is not in the label set of paragraph %''s project, or the paragraph is not in assignment %''s article',
            NEW.label_id, NEW.paragraph_id, NEW.assignment_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER labels_annotation_in_project
    BEFORE INSERT OR UPDATE OF label_id, paragraph_id, assignment_id ON labels_annotation
    FOR EACH ROW EXECUTE FUNCTION labels_annotation_in_project();

CREATE OR REPLACE FUNCTION labels_goldlabel_in_project() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1
        FROM labels_paragraph p
        JOIN labels_article a ON a.id = p.article_id
        JOIN labels_label l ON l.project_id = a.project_id
        WHERE p.id = NEW.paragraph_id AND l.id = NEW.label_id
    ) THEN
        RAISE EXCEPTION 'gold label: label % is not in the label set of paragraph %''s project',
            NEW.label_id, NEW.paragraph_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER labels_goldlabel_in_project
    BEFORE INSERT OR UPDATE OF label_id, paragraph_id ON labels_goldlabel
    FOR EACH ROW EXECUTE FUNCTION labels_goldlabel_in_project();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS labels_annotation_in_project ON labels_annotation;
DROP FUNCTION IF EXISTS labels_annotation_in_project();
DROP TRIGGER IF EXISTS labels_goldlabel_in_project ON labels_goldlabel;
DROP FUNCTION IF EXISTS labels_goldlabel_in_project();
"""

_ANNOTATION_OK = """NOT EXISTS (
    SELECT 1 FROM labels_paragraph p
    JOIN labels_article a ON a.id = p.article_id
    JOIN labels_label l ON l.project_id = a.project_id
    JOIN labels_assignment s ON s.article_id = p.article_id
    WHERE p.id = NEW.paragraph_id AND l.id = NEW.label_id AND s.id = NEW.assignment_id)"""
_GOLD_OK = """NOT EXISTS (
    SELECT 1 FROM labels_paragraph p
    JOIN labels_article a ON a.id = p.article_id
    JOIN labels_label l ON l.project_id = a.project_id
    WHERE p.id = NEW.paragraph_id AND l.id = NEW.label_id)"""

SQLITE_FORWARD = [
    f"""CREATE TRIGGER labels_annotation_in_project_{event.lower()}
        BEFORE {event} ON labels_annotation WHEN {_ANNOTATION_OK}
        BEGIN SELECT RAISE(ABORT, 'annotation: label not in the project''s label set'); END"""
    for event in ("INSERT", "UPDATE")
] + [
    f"""CREATE TRIGGER labels_goldlabel_in_project_{event.lower()}
        BEFORE {event} ON labels_goldlabel WHEN {_GOLD_OK}
        BEGIN SELECT RAISE(ABORT, 'gold label: label not in the project''s label set'); END"""
    for event in ("INSERT", "UPDATE")
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS labels_{table}_in_project_{event}"
    for table in ("annotation", "goldlabel")
    for event in ("insert", "update")
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("labels", "0002_workflow_event_batch")]

    operations = [migrations.RunPython(forward, backward)]
