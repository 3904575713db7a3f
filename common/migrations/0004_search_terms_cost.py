from django.db import migrations

# What portal_search_terms costs to run on one row, for the planner: a regular expression, a
# series and an aggregate, about ten thousand times an operator. At the default (100) the
# planner reads a small table whole and cuts every row's text into terms, ten times slower
# than asking the search index.
COST = "ALTER FUNCTION portal_search_terms(text) COST {}"


class Migration(migrations.Migration):
    dependencies = [("common", "0003_sent_documents_move_to_accounts")]

    operations = [migrations.RunSQL(COST.format(5000), COST.format(100))]
