"""What the loading contract costs (issue 16): relationship writes that check for the key in the same
statement beside plain ``CREATE``, and the checks a reload makes before it trusts its marker.

    python -m benchmarks.load_contract [--relationships 20000] [--seed 7] [--batch-size 5000]

On a generated dataset (``bpkg synth``): a load into an empty database; then the relationship write phase
alone, twice on the same nodes with no relationship present: once as plain ``CREATE`` (what the sink did
before, trusting its diff) and once as the sink's ``UPSERT_RELS`` (existence check in the statement, under the
lease's lock); then a reload with nothing changed (marker + counts per label and type), the counts query alone,
and a reload whose marker disagrees (the full compare of per-row hashes). Not a test: it prints a table.

Neo4j settings come from the environment. The database is WIPED first: point it at a throwaway server.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Final, LiteralString

from bpkg.app.neo4j_driver import open_driver
from bpkg.app.settings import Settings
from bpkg.loaders import load_dataset, neo4j_sink, synth

# What the sink ran before issue 16 for relationships its diff did not find: no existence check.
PLAIN_CREATE: Final[LiteralString] = """
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
CREATE (a)-[new:$(row.type)]->(b)
SET new = row.props, new._owners = [$owner]
"""
DELETE_RELS: Final[LiteralString] = "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS"
WIPE: Final[LiteralString] = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
FORGET_MARKER: Final[LiteralString] = "MATCH (d:Dataset) REMOVE d.fingerprint"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relationships", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=neo4j_sink.BATCH_SIZE)
    args = parser.parse_args()
    settings = Settings(backend="neo4j")
    database = settings.neo4j_database
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "synth"
        synth.write(folder, args.relationships, args.seed)
        batch = load_dataset(str(folder))
    rows = list(neo4j_sink._rel_rows(batch).values())
    lines = ["| step | seconds | note |", "|---|---:|---|"]
    with open_driver(settings) as driver:
        with driver.session(database=database) as session:
            session.run(DELETE_RELS).consume()
            session.run(WIPE).consume()

        def timed(what: str, note: str, work: object) -> float:
            start = time.perf_counter()
            assert callable(work)
            work()
            seconds = time.perf_counter() - start
            lines.append(f"| {what} | {seconds:.2f} | {note} |")
            return seconds

        timed(
            "load into an empty database",
            f"{len(batch.nodes):,} nodes, {len(batch.rels):,} relationships",
            lambda: neo4j_sink.write_batch(driver, batch, database, batch_size=args.batch_size),
        )
        lease = neo4j_sink.Lease(driver, database)
        lease.take()
        try:
            results: dict[LiteralString, float] = {}
            for query in (PLAIN_CREATE, neo4j_sink.UPSERT_RELS):
                with driver.session(database=database) as session:
                    session.run(DELETE_RELS).consume()

                    def write(query: LiteralString = query, session: object = session) -> None:
                        for start in range(0, len(rows), args.batch_size):
                            chunk = rows[start : start + args.batch_size]
                            neo4j_sink._write_rows(
                                session,  # type: ignore[arg-type]
                                lease,
                                query,
                                {"rows": chunk, "owner": batch.info.name, "legacy": []},
                            )

                    name = "plain CREATE" if query is PLAIN_CREATE else "UPSERT_RELS (existence check)"
                    results[query] = timed(f"relationships: {name}", f"{len(rows):,} rows", write)
            ratio = results[neo4j_sink.UPSERT_RELS] / results[PLAIN_CREATE]
            lines.append(f"| existence check / plain CREATE | {ratio:.2f}x | |")
        finally:
            lease.give_back()
        timed(
            "reload, nothing changed",
            "marker + counts per label and type",
            lambda: neo4j_sink.write_batch(driver, batch, database, batch_size=args.batch_size),
        )
        timed(
            "counts per label and type alone",
            "one query",
            lambda: neo4j_sink._owned_counts(driver, database, batch.info.name),
        )
        driver.execute_query(FORGET_MARKER, database_=database)
        timed(
            "reload, marker disagrees",
            "full compare of per-row hashes",
            lambda: neo4j_sink.write_batch(driver, batch, database, batch_size=args.batch_size),
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
