from django.db import migrations

# The terms the search indexes keep of a text (see common/search.py): lower-cased runs of
# Chinese, Japanese or Korean characters cut two by two, runs of Latin letters and digits
# cut three by three, a shorter run kept whole. IMMUTABLE, so that an index may use it.
TERMS = r"""
CREATE OR REPLACE FUNCTION portal_search_terms(doc text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT term), '{}'::text[])
  FROM (
    SELECT found[1] AS run,
           CASE WHEN found[1] ~ '^[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]'
                THEN 2 ELSE 3 END AS size
    FROM regexp_matches(
      lower(doc),
      '[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]+|[a-z0-9\u00df-\u024f]+',
      'g'
    ) AS found
  ) AS runs,
  LATERAL (
    SELECT CASE WHEN length(run) <= size THEN run ELSE substr(run, start, size) END AS term
    FROM generate_series(1, greatest(length(run) - size + 1, 1)) AS start
  ) AS terms
$$;
"""


class Migration(migrations.Migration):
    dependencies = []

    operations = [
        migrations.RunSQL(TERMS, "DROP FUNCTION IF EXISTS portal_search_terms(text);"),
    ]
