"""The ``bpkg`` command: validate, load, stats, serve, export, template, synth (the CLI's composition root)."""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import secrets
import shutil
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bpkg.app.errors import BackendUnavailable
from bpkg.app.settings import Settings
from bpkg.loaders import (
    DatasetInvalid,
    GraphBatch,
    LoadSummary,
    build_graph,
    load_dataset,
    memory_summary,
    template_path,
)
from bpkg.loaders.files_digest import dataset_digest
from bpkg.loaders.stats import GraphStats, graph_stats


def _settings(args: argparse.Namespace) -> Settings:
    """The settings, with every flag given on the command line in place of the environment's value.

    A flag is a setting's when its ``dest`` is the name of a ``Settings`` field (``--neo4j-uri`` is
    ``neo4j_uri``): there is no second list to keep, a new setting only needs its flag.
    """
    overrides: dict[str, Any] = {}
    for key in Settings.model_fields:
        value = getattr(args, key, None)
        if value is not None:
            overrides[key] = value
    return Settings(**overrides)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _date(text: str) -> str:
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a day as YYYY-MM-DD, not {text}") from None


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, 0 or more, not {text}")
    return value


def _setting_flag(parser: argparse.ArgumentParser | argparse._ArgumentGroup, name: str, **kwargs: Any) -> None:
    """A ``--flag`` for the setting ``name``: its ``dest`` is the field's name, which ``_settings`` reads."""
    if name not in Settings.model_fields:
        raise ValueError(f"no setting '{name}'")
    parser.add_argument(f"--{name.replace('_', '-')}", dest=name, **kwargs)


def _add_neo4j_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("Neo4j (defaults from NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE)")
    _setting_flag(group, "neo4j_uri")
    _setting_flag(group, "neo4j_user")
    _setting_flag(group, "neo4j_password", help="prefer the NEO4J_PASSWORD variable: flags show up in `ps`")
    _setting_flag(group, "neo4j_database")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bpkg", description="Budapest Process traceability graph: validate, load, inspect and serve it."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a dataset and report every problem; writes nothing")
    p.add_argument("dataset", nargs="?", help="dataset folder or bundled name (default: budapest-process)")
    p.add_argument("--strict", action="store_true", help="warnings (suspect links) are errors: exit 1 (for CI)")

    p = sub.add_parser("load", help="validate a dataset, then load it into a backend")
    p.add_argument("dataset", nargs="?", help="dataset folder or bundled name (default: budapest-process)")
    p.add_argument("--backend", choices=["memory", "neo4j"], default="memory")
    p.add_argument(
        "--prune",
        action="store_true",
        help="neo4j backend: remove what this dataset put there and no longer holds (what other datasets also "
        "hold stays); refuses to remove more than 20%% of the graph without --yes",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="neo4j backend: print what the load would change and what --prune would remove, and write nothing",
    )
    p.add_argument("--yes", action="store_true", help="neo4j backend: let --prune remove more than 20%% of the graph")
    p.add_argument(
        "--wait",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="neo4j backend: wait up to SECONDS for another load's write lease (default 0: exit 4 at once)",
    )
    p.add_argument(
        "--lease-seconds",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="neo4j backend: how long the write lease lasts without renewal, the longest a killed load keeps "
        "others waiting (default 30)",
    )
    p.add_argument("--output", type=Path, help="memory backend: also write the graph as GraphML to this file")
    p.add_argument(
        "--batch-size",
        type=_positive,
        default=None,
        help="neo4j backend: rows per write transaction (default 5000; lower it if Neo4j runs out of memory)",
    )
    _add_neo4j_flags(p)

    p = sub.add_parser("stats", help="counts per label and relationship type, and per confidence level")
    p.add_argument("dataset", nargs="?", help="memory backend: the dataset to count (default: budapest-process)")
    p.add_argument("--backend", choices=["memory", "neo4j"], default="memory")
    _add_neo4j_flags(p)

    p = sub.add_parser("serve", help="start the API and pages (default: embedded graph, bundled dataset)")
    _setting_flag(p, "backend", choices=["memory", "neo4j"])
    _setting_flag(p, "dataset", help="memory backend: dataset folder or bundled name")
    _setting_flag(p, "host")
    _setting_flag(p, "port", type=int)
    p.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="worker processes (default 1). With the memory backend each worker loads the dataset itself "
        "(N copies in memory, and N loads at start-up); with neo4j they share the database, each with its own "
        "connection pool",
    )
    _add_neo4j_flags(p)

    p = sub.add_parser(
        "diff",
        help="what changed between two versions of a dataset (or what Neo4j holds and a dataset), "
        "and which links are suspect",
        description="bpkg diff OLD NEW compares two datasets; bpkg diff --neo4j NEW compares what Neo4j holds "
        "(settings as for bpkg load) with the dataset NEW, as a load of NEW would change it.",
    )
    p.add_argument(
        "old", metavar="OLD", help="the earlier dataset (folder or bundled name); with --neo4j, the dataset NEW"
    )
    p.add_argument("new", metavar="NEW", nargs="?", help="the later dataset (folder or bundled name)")
    p.add_argument(
        "--neo4j",
        action="store_true",
        help="compare what the Neo4j database holds (the old side) with one dataset: bpkg diff --neo4j NEW",
    )
    p.add_argument("--format", choices=["md", "html", "json"], default="md", help="report format (default: md)")
    p.add_argument("--output", type=Path, help="write the report to this file instead of standard output")
    p.add_argument("--exit-code", action="store_true", help="exit 1 when the versions differ (as `git diff`)")
    _add_neo4j_flags(p)

    p = sub.add_parser(
        "export",
        help="write a dataset as JSON-LD or Turtle (SKOS, PROV-O), IATI 2.03 activity XML, or the SHACL shapes",
        description="URIs on BPKG_PUBLIC_URL (else urn:bpkg:); IATI identifiers on BPKG_IATI_PREFIX. "
        "See docs/formats.md.",
    )
    p.add_argument("output", type=Path, help="file to write ('-': standard output)")
    p.add_argument("--format", choices=["jsonld", "ttl", "iati", "shapes"], required=True)
    p.add_argument("--dataset", help="dataset folder or bundled name (default: budapest-process)")
    _setting_flag(p, "public_url", help="base of node URIs (default: BPKG_PUBLIC_URL, else urn:bpkg:)")
    _setting_flag(p, "iati_prefix", help="IATI: the reporting organisation's identifier (default: BPKG_IATI_PREFIX)")

    p = sub.add_parser("synth", help="write a generated dataset of N relationships (every fact illustrative)")
    p.add_argument("output", type=Path, help="dataset folder to write (created if needed)")
    p.add_argument("--relationships", type=_positive, required=True, help="how many relationships")
    p.add_argument("--seed", type=int, default=0, help="the same seed gives the same files (default 0)")

    p = sub.add_parser("sources", help="check that cited pages are still there and unchanged")
    sources = p.add_subparsers(dest="action", required=True)
    p = sources.add_parser("check", help="read each cited page again and compare it with its stored fingerprint")
    p.add_argument("dataset", nargs="?", help="dataset folder or bundled name (default: budapest-process)")
    p.add_argument("--from", dest="saved", type=Path, help="read saved copies (<source id>.html or .txt) from DIR")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each page (default 10)")
    p.add_argument(
        "--write",
        action="store_true",
        help="keep the results in the dataset's source-checks.csv: pages and validate then mark the facts to review; "
        "pages with no fingerprint are read too and their fingerprint kept for the next check",
    )
    p.add_argument(
        "--accept",
        action="append",
        default=[],
        metavar="SOURCE",
        help="with --write: the facts resting on SOURCE were checked against its page as it reads now; keep this "
        "text's fingerprint (repeat for several)",
    )
    p.add_argument("--on", type=_date, help="the day to record as checked_on (default: today, UTC)")

    p = sub.add_parser("template", help="write the empty implementation-plan template (.csv or .xlsx)")
    p.add_argument("output", type=Path, help="file to write, ending in .csv or .xlsx")
    return parser


def _print_stats(stats: GraphStats) -> None:
    print(f"{stats.nodes} nodes, {stats.relationships} relationships")
    print("nodes per label:")
    for label, count in stats.labels.items():
        print(f"  {label:<16} {count:>6}")
    print("relationships per type:")
    for rel_type, count in stats.relationship_types.items():
        print(f"  {rel_type:<16} {count:>6}")
    print(f"{'per confidence':<18} {'nodes':>6} {'relationships':>14}")
    for level in stats.confidence:
        print(f"  {level:<16} {stats.node_confidence[level]:>6} {stats.relationship_confidence[level]:>14}")


def _confidence_words(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {level}" for level, count in counts.items())


def _validate(args: argparse.Namespace) -> int:
    from bpkg.loaders.dataset import validate_dataset

    # The counts and warnings only: the dataset's content is checked but not built (its memory stays
    # within about twice the size of its largest file; docs/dataset-format.md, "Limits").
    checked = validate_dataset(args.dataset)
    if checked.warnings and args.strict:
        raise DatasetInvalid(checked.warnings)  # --strict: suspect links make the dataset invalid
    for warning in checked.warnings:
        print(f"Warning: {warning}")
    info, stats = checked.info, checked.stats
    # Nodes and links counted apart, each with its own confidence split, so that each split adds up to its total.
    print(
        f"OK: {info.name} {info.version}: {stats.nodes} nodes ({_confidence_words(stats.node_confidence)}); "
        f"{stats.relationships} relationships ({_confidence_words(stats.relationship_confidence)})"
    )
    if info.illustrative:
        print(f"Note: {info.illustrative}")
    return 0


def _load(args: argparse.Namespace) -> int:
    if args.backend == "memory" and (args.dry_run or args.prune or args.yes):
        print("bpkg: error: --prune, --dry-run and --yes are for --backend neo4j", file=sys.stderr)
        return 2
    files: str | None = None
    if args.backend == "neo4j" and not args.dry_run:
        # The files a published version was loaded from, checked by the same rules, on a graph that still holds
        # that version: no need to read and check them again (bpkg.loaders.files_digest).
        files = dataset_digest(args.dataset)
        done = _reload_unchanged(args, files) if files is not None else None
        if isinstance(done, int):
            return done
        if done is not None:
            for line in done.lines():
                print(line)
            return 0
    batch: GraphBatch = load_dataset(args.dataset)
    if args.backend == "memory":
        graph = build_graph(batch)
        if args.output:
            import networkx as nx

            from bpkg.app.graphml_safe import graphml_ready

            nx.write_graphml(graphml_ready(graph), args.output)
            print(f"Wrote {args.output}")
        summary = memory_summary(batch)
    else:
        from bpkg.app.at_load import AtLoad
        from bpkg.app.neo4j_driver import open_driver
        from bpkg.loaders import neo4j_sink

        settings = _settings(args)
        # The answers derived inside the load's lease (design.md section 5): loaders cannot import app.
        derivation = AtLoad()
        with open_driver(settings) as driver:
            try:
                if args.dry_run:
                    return _dry_run(args, driver, settings.neo4j_database, batch)
                summary = neo4j_sink.write_batch(
                    driver,
                    batch,
                    settings.neo4j_database,
                    prune=args.prune,
                    yes=args.yes,
                    wait=args.wait,
                    lease_seconds=args.lease_seconds or neo4j_sink.LEASE_SECONDS,
                    progress=sys.stderr.isatty(),
                    batch_size=args.batch_size or neo4j_sink.BATCH_SIZE,
                    report=lambda note: print(f"bpkg: note: {note}", file=sys.stderr),
                    derive=derivation,
                    files=files,
                )
                for line in derivation.lines():
                    print(f"bpkg: note: {line}", file=sys.stderr)
            except neo4j_sink.SinkUnavailable as exc:
                # Neo4j failed mid-load: one line and exit 3, like an unreachable Neo4j at the start.
                raise BackendUnavailable(str(exc)) from exc
            except neo4j_sink.LeaseBusy as exc:
                print(f"bpkg: error: {exc}", file=sys.stderr)
                return EXIT_BUSY
            except neo4j_sink.PruneRefused as exc:
                print(f"bpkg: error: {exc}", file=sys.stderr)
                return EXIT_REFUSED
    for line in summary.lines():
        print(line)
    return 0


def _reload_unchanged(args: argparse.Namespace, files: str) -> LoadSummary | int | None:
    """``bpkg load`` of files a current version was loaded from: that version's counts (nothing read, checked or
    written), an exit code, or None when the files must be read (also when Neo4j cannot be reached: the files'
    problems, if any, are then reported first, as by any load)."""
    from bpkg.app.at_load import AtLoad
    from bpkg.app.neo4j_driver import open_driver
    from bpkg.loaders import neo4j_sink

    derivation = AtLoad()
    settings = _settings(args)
    try:
        with open_driver(settings) as driver:
            summary = neo4j_sink.reload_unchanged(
                driver,
                settings.neo4j_database,
                files,
                prune=args.prune,
                wait=args.wait,
                lease_seconds=args.lease_seconds or neo4j_sink.LEASE_SECONDS,
                derive=derivation,
            )
    except (BackendUnavailable, neo4j_sink.SinkUnavailable):
        return None
    except neo4j_sink.LeaseBusy as exc:
        print(f"bpkg: error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    if summary is not None:
        print(
            "bpkg: note: the files are those the published version was loaded from, checked by the same rules, and "
            "the graph still counts as that version: nothing to read, check or write",
            file=sys.stderr,
        )
        for line in derivation.lines():
            print(f"bpkg: note: {line}", file=sys.stderr)
    return summary


def _dry_run(args: argparse.Namespace, driver: Any, database: str, batch: GraphBatch) -> int:
    """``bpkg load --dry-run``: the load's counts and what its prune would remove; nothing is written."""
    from bpkg.loaders import neo4j_sink

    summary, removal = neo4j_sink.dry_run(
        driver, database, batch, prune=args.prune, batch_size=args.batch_size or neo4j_sink.BATCH_SIZE
    )
    print(f"Dry run: nothing was written. A load of {batch.info.name} would change:")
    for line in summary.lines()[1:]:
        print(line)
    if args.prune:
        print(f"--prune {removal.lines()[0]}")
        for line in removal.lines()[1:]:
            print(line)
        if removal.share > neo4j_sink.PRUNE_SHARE and not args.yes:
            print(f"--prune would refuse without --yes (more than {neo4j_sink.PRUNE_SHARE:.0%} of the graph)")
    return 0


def _stats(args: argparse.Namespace) -> int:
    if args.backend == "memory":
        batch = load_dataset(args.dataset)
        _print_stats(graph_stats(batch.nodes, batch.rels))
        return 0
    from bpkg.app.neo4j_driver import open_driver
    from bpkg.loaders.neo4j_sink import SinkUnavailable, read_back

    settings = _settings(args)
    with open_driver(settings) as driver:
        try:
            nodes, rels = read_back(driver, settings.neo4j_database)
        except SinkUnavailable as exc:
            raise BackendUnavailable(str(exc)) from exc
    _print_stats(graph_stats(nodes, rels))
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bpkg.app.api.bounds import server_options
    from bpkg.app.api.main import create_app, long_lived

    settings = _settings(args)
    if args.workers > 1:
        return _serve_workers(settings, args.workers)
    store = None
    if settings.backend == "memory":
        # Load before the server starts, so that an invalid dataset is reported like `bpkg validate`
        # does (every problem, exit 1) instead of as a traceback from inside the server's start-up.
        from bpkg.app.store.memory import MemoryStore

        store = MemoryStore(build_graph(load_dataset(settings.dataset)))
        long_lived(store)
    uvicorn.run(create_app(settings, store=store), host=settings.host, port=settings.port, **server_options())
    return 0


def _serve_workers(settings: Settings, workers: int) -> int:
    """``bpkg serve --workers N``: uvicorn's process manager, each worker building the app from the environment.

    The workers are new processes that import ``bpkg.app.api.main:app_from_env``; the settings resolved here (flags
    over environment) are handed to them as ``BPKG_*`` variables, which take precedence over ``NEO4J_*``."""
    import contextlib

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    if settings.backend == "memory":
        # Checked once here (without building it) so that an invalid dataset is reported like `bpkg validate`
        # does (exit 1), not as N tracebacks from the workers' start-up; each worker then loads it.
        from bpkg.loaders.dataset import validate_dataset

        validate_dataset(settings.dataset)
    if settings.session_secret is None:
        # One secret for all the workers, so that a page session opened on one holds on the others.
        settings = settings.model_copy(update={"session_secret": SecretStr(secrets.token_urlsafe(32))})
    # Every setting, as the workers' Settings read it (no second list: a new setting reaches them too).
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if value is not None:
            secret = value.get_secret_value() if isinstance(value, SecretStr) else None
            os.environ[f"BPKG_{name.upper()}"] = secret if secret is not None else str(value)
    from bpkg.app.api.bounds import server_options

    config = uvicorn.Config(
        "bpkg.app.api.main:app_from_env",
        factory=True,
        workers=workers,
        host=settings.host,
        port=settings.port,
        **server_options(),
    )
    sock = bind_without_nagle(config)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the supervisor has stopped the workers
        Multiprocess(config, sockets=[sock]).run()
    return 0


def bind_without_nagle(config: Any) -> Any:
    """The workers' shared listening socket, as uvicorn.run binds it with workers > 1, but with Nagle's
    algorithm off: uvicorn binds it with proto 0, so asyncio leaves TCP_NODELAY off on the connections it
    accepts and every keep-alive request after the first waited about 40 ms for a delayed ACK
    (Kludex/uvicorn#3149). Connections accepted on Linux inherit the option from the listening socket."""
    import socket

    sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _diff(args: argparse.Namespace) -> int:
    from bpkg.loaders.diff import diff_batches, to_html, to_markdown

    if args.neo4j != (args.new is None):
        usage = "bpkg diff OLD NEW, or bpkg diff --neo4j NEW"
        print(f"bpkg: error: diff takes two datasets, or --neo4j and one: {usage}", file=sys.stderr)
        return 2
    if args.neo4j:
        found = diff_batches(*_loaded_and(args, load_dataset(args.old)))
    else:
        found = diff_batches(load_dataset(args.old), load_dataset(args.new))
    if args.format == "json":
        import json

        report = json.dumps(found.as_json(), indent=2, ensure_ascii=False) + "\n"
    else:
        report = to_html(found) if args.format == "html" else to_markdown(found)
    if args.output:
        args.output.write_text(report, encoding="utf-8")
        counts = found.counts()
        print(f"Wrote {args.output}: {counts['nodes']} nodes, {counts['relationships']} links, {counts['suspect']}")
    else:
        sys.stdout.write(report)
    return 1 if args.exit_code and not found.same else 0


def _loaded_and(args: argparse.Namespace, new: GraphBatch) -> tuple[GraphBatch, GraphBatch]:
    """What Neo4j holds (read a page at a time, as the sink stored it) and ``new``."""
    from bpkg.app.neo4j_driver import open_driver
    from bpkg.loaders.neo4j_sink import SinkUnavailable, read_loaded

    settings = _settings(args)
    with open_driver(settings) as driver:
        try:
            return read_loaded(driver, settings.neo4j_database), new
        except SinkUnavailable as exc:
            raise BackendUnavailable(str(exc)) from exc


def _template(args: argparse.Namespace) -> int:
    suffix = args.output.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        print(f"bpkg: error: {args.output}: the template file must end in .csv or .xlsx", file=sys.stderr)
        return 2
    shutil.copyfile(template_path(suffix), args.output)
    print(f"Wrote {args.output}: fill in one row per link, then `bpkg validate` the dataset folder")
    return 0


def _export(args: argparse.Namespace) -> int:
    from bpkg.app.services import formats

    if args.format == "shapes":
        from bpkg.app.formats.rdf import shipped

        chunks: Iterable[bytes] = [shipped("shapes.ttl")]
    else:
        parts = formats.batch_parts(load_dataset(args.dataset))
        chunks = formats.export(parts, args.format, _settings(args))
    if str(args.output) == "-":
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        return 0
    with args.output.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    print(f"Wrote {args.output} ({args.format})")
    return 0


def _synth(args: argparse.Namespace) -> int:
    from bpkg.loaders import synth

    nodes, rels = synth.write(args.output, args.relationships, args.seed)
    print(f"Wrote {args.output}: {nodes} nodes, {rels} relationships (seed {args.seed}; every fact illustrative)")
    return 0


def _sources(args: argparse.Namespace) -> int:
    from bpkg.app.sources import check_sources, report, write_results
    from bpkg.loaders.dataset import load_dataset, resolve

    if args.saved is not None and not args.saved.is_dir():
        raise FileNotFoundError(f"--from {args.saved}: not a folder")
    if args.write and (args.dataset is None or not Path(args.dataset).is_dir()):
        raise FileNotFoundError("--write: give the dataset's folder (the results are kept next to its manifest)")
    if args.accept and not args.write:
        raise FileNotFoundError("--accept: give --write too (the accepted fingerprint is kept in source-checks.csv)")
    batch = load_dataset(args.dataset)
    unknown = sorted(set(args.accept) - {n.id for n in batch.nodes if n.label.value == "Source"})
    if unknown:
        raise FileNotFoundError(f"--accept: no Source {', '.join(unknown)} in the dataset")
    checks = check_sources(batch, saved=args.saved, timeout=args.timeout, record=args.write, accept=args.accept)
    for line in report(checks):
        print(line)
    if args.write:
        on = args.on or datetime.datetime.now(datetime.UTC).date().isoformat()
        print(f"Wrote {write_results(resolve(args.dataset), checks, on)}")
    return 1 if any(c.to_review for c in checks) else 0  # gone or changed: its facts are to be reviewed


EXIT_BUSY = 4
"""``bpkg load``: another load holds the store's write lease (and ``--wait`` ran out)."""
EXIT_REFUSED = 5
"""``bpkg load --prune``: it would remove more than the bounded share of the graph, and ``--yes`` was not given."""

COMMANDS = {
    "sources": _sources,
    "synth": _synth,
    "validate": _validate,
    "load": _load,
    "stats": _stats,
    "serve": _serve,
    "diff": _diff,
    "template": _template,
    "export": _export,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in ("load", "stats", "diff"):
        # The driver logs each retry as a warning, which Python prints to stderr when logging is not set up;
        # a failure is reported once, in one line, below.
        logging.getLogger("neo4j").addHandler(logging.NullHandler())
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:
        # The reader went away (`bpkg stats | head -1`): stop quietly, as Unix tools do. Point stdout at
        # /dev/null so that the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except DatasetInvalid as exc:
        print(f"bpkg: the dataset is invalid: {exc}", file=sys.stderr)
        return 1
    except BackendUnavailable as exc:
        print(f"bpkg: error: {exc}", file=sys.stderr)
        return 3
    except FileNotFoundError as exc:
        print(f"bpkg: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
