"""Catalog search in PostgreSQL: full-text search over folded words, ranked in SQL.

Publishing stores, for the published version, the folded words (``search_words``:
``unaccent``, lower case, split on anything but [0-9a-z]) of its name, keywords,
field and code as a ``tsvector`` (GIN index), and its name and keyword phrases as
space-delimited text. A query's folded terms must each begin some word
(``term:*``, ANDed), under the filters; the matches are ranked by one SQL
expression, the way a citizen expects:

- the procedure's own code typed whole: first;
- the name read as the typed phrase (the last word may be unfinished): 60 for the
  whole name, 40 at its start, 30 less its word position further in;
- a keyword phrase read as the typed phrase: 15 ("sổ đỏ" is how people name a land
  certificate);
- per term, a whole word of the name 10, the beginning of one 6; of a keyword 4, 2;
- 3 per word typed with diacritics spelt exactly so in the name;
- less 0.1 a word of the name: among equals, the shorter (more specific) name;
- ties: trigram similarity (``pg_trgm``) of the folded name to the folded query, then
  the name and the code.

The word tests are ``strpos`` on the space-delimited texts: ``' khai '`` is a whole
word, ``' kha'`` the beginning of one. Terms vary in number, so the expression is
composed per query (``psycopg.sql``); every value is a parameter.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from services.catalog.adapters.pg import Doc, Pool
from services.catalog.domain.text import SearchQuery

_POSITION = sql.SQL(  # the word where the phrase starts: spaces before it in s_name
    "length(left(s_name, strpos(s_name, %(phrase)s) - 1))"
    " - length(replace(left(s_name, strpos(s_name, %(phrase)s) - 1), ' ', ''))"
)
_PHRASE = sql.SQL(
    "CASE WHEN strpos(s_name, %(phrase)s) = 1"
    " THEN CASE WHEN name_words = %(term_count)s THEN 60 ELSE 40 END"
    " WHEN strpos(s_name, %(phrase)s) > 1 THEN 30 - least({position}, 10) ELSE 0 END"
    " + CASE WHEN strpos(s_keywords, %(phrase)s) > 0 THEN 15 ELSE 0 END"
).format(position=_POSITION)
_TERM = (
    "CASE WHEN strpos(s_name, %({w})s) > 0 THEN 10 WHEN strpos(s_name, %({p})s) > 0"
    " THEN 6 WHEN strpos(s_keywords, %({w})s) > 0 THEN 4"
    " WHEN strpos(s_keywords, %({p})s) > 0 THEN 2 ELSE 0 END"
)
_BY_NAME = sql.SQL('s_name COLLATE "C", code COLLATE "C"')  # byte order, any database
_ACCENT = "CASE WHEN strpos(s_accented, %({a})s) > 0 THEN 3 ELSE 0 END"


def _score(query: SearchQuery, params: dict[str, Any]) -> sql.Composable:
    params.update(
        phrase=" " + " ".join(query.terms), term_count=len(query.terms), folded=query.folded
    )
    parts: list[sql.Composable] = [_PHRASE]
    for n, term in enumerate(query.terms):
        params[f"w{n}"], params[f"p{n}"] = f" {term} ", f" {term}"
        parts.append(sql.SQL(_TERM.format(w=f"w{n}", p=f"p{n}")))
    for n, word in enumerate(sorted(query.typed_accents)):
        params[f"a{n}"] = f" {word} "
        parts.append(sql.SQL(_ACCENT.format(a=f"a{n}")))
    return sql.SQL(
        "CASE WHEN lower(code) = %(folded)s THEN 1000.0::float8"
        " ELSE ({}) - name_words * 0.1::float8 END"
    ).format(sql.SQL(" + ").join(parts))


class ProcedureSearch:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def search(
        self,
        query: SearchQuery,
        agency: str | None,
        field: str | None,
        level: int | None,
        limit: int,
        offset: int,
    ) -> tuple[int, list[Doc]]:
        """The total found and one page of cards (with ``score`` when there are terms)."""
        statement, params = self.statement(query, agency, field, level, limit, offset)
        async with self.pool.connection() as conn:
            rows = await (await conn.execute(statement, params)).fetchall()
            if not rows and offset > 0:  # past the last page: the total still counts
                count, count_params = self.statement(query, agency, field, level, 1, 0)
                rows = await (await conn.execute(count, count_params)).fetchall()
                return (rows[0]["total"] if rows else 0), []
        total = rows[0]["total"] if rows else 0
        if not query.terms:
            return total, [r["card"] for r in rows]
        return total, [{**r["card"], "score": round(r["score"], 2)} for r in rows]

    @staticmethod
    def statement(
        query: SearchQuery,
        agency: str | None,
        field: str | None,
        level: int | None,
        limit: int,
        offset: int,
    ) -> tuple[sql.Composable, dict[str, Any]]:
        """The one SQL statement of a search (also what the benchmark runs bare)."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        where = [sql.SQL("status = 'published'")]
        if query.terms:
            params["tsquery"] = " & ".join(f"{t}:*" for t in query.terms)  # [0-9a-z]+ only
            where.append(sql.SQL("s_document @@ to_tsquery('simple', %(tsquery)s)"))
        if agency:
            params["agency"] = [agency]
            where.append(sql.SQL("agency_codes @> %(agency)s::text[]"))
        if field:
            params["field"] = field
            where.append(sql.SQL("field_code = %(field)s"))
        if level is not None:
            params["level"] = level
            where.append(sql.SQL("service_level = %(level)s"))
        if not query.terms:
            return sql.SQL(
                "SELECT card, NULL::float8 AS score, count(*) OVER () AS total FROM procedures"
                " WHERE {where} ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s"
            ).format(where=sql.SQL(" AND ").join(where), order=_BY_NAME), params
        # The similarity only orders ties: computed for the rows that can reach the page
        # (every row scoring at least the page's last), not for every match.
        params.update(words=" ".join(query.terms), upto=offset + limit)
        return sql.SQL(
            "SELECT card, score, total FROM ("
            " SELECT card, s_name, code, {score} AS score, count(*) OVER () AS total"
            " FROM procedures WHERE {where}"
            " ORDER BY score DESC FETCH FIRST %(upto)s ROWS WITH TIES) AS best"
            " ORDER BY score DESC, similarity(s_name, %(words)s) DESC, {order}"
            " LIMIT %(limit)s OFFSET %(offset)s"
        ).format(
            score=_score(query, params), where=sql.SQL(" AND ").join(where), order=_BY_NAME
        ), params
