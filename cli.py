"""The `kg` command: thin click wrappers that call the kg library and format its results."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
from pathlib import Path

import click

from kg.errors import KGError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
TERMINAL_ROWS = 40  # rows of a `kg sparql` table on a terminal, unless --max-rows says otherwise


class App:
    """Per-invocation state: where the data is, how talkative to be, and the graph once loaded."""

    def __init__(self, data: Path | None, debug: bool) -> None:
        self.data = data
        self.debug = debug
        self.verbosity = 0  # -1 with -q (results and errors only), 1 with -v
        self._graph = None
        self._names = None
        self._cache_dir = None
        self.companion = None  # what a build makes beside the graph (the SPARQL store, for kg sparql and kg serve)

    @property
    def graph(self):
        """The built graph (from cache when inputs are unchanged)."""
        if self._graph is None:
            from kg.build import load_graph
            from kg.progress import terminal_progress

            # The graph lives as long as this process, so the cyclic collector need never scan its records:
            # paused while they are made, then frozen (at 100k statements the scans were half a cold `kg how`).
            gc.disable()
            try:
                with terminal_progress(enabled=self.verbosity >= 0) as progress:
                    self._graph = load_graph(self.data, progress=progress, companion=self.companion)
                gc.freeze()
            finally:
                gc.enable()
            self.info(f"graph from {self._graph.cache_dir or 'a fresh build'}")
        return self._graph

    @property
    def cache_dir(self) -> Path | None:
        """The cache directory of the current inputs if a build is there (hashes the inputs once)."""
        if self._cache_dir is None:
            from kg.build import cached_dir

            self._cache_dir = cached_dir(self.data) or False
        return self._cache_dir or None

    @property
    def names(self):
        """The entity and source names: from the build cache when there is one, without loading the graph."""
        if self._names is None:
            from kg.build import cached_names
            from kg.resolve import NameIndex

            cache = self._graph.cache_dir if self._graph is not None else self.cache_dir
            self._names = (cache and cached_names(cache)) or NameIndex.of(self.graph)
        return self._names

    def resolve(self, name: str):
        """Resolve a name, telling the user on stderr what it was taken to mean."""
        from kg.resolve import Resolver

        res = Resolver(self.names).resolve(name)
        if not res.obvious:
            self.say(f"resolved: {res.describe()}")
        return res

    def say(self, message: str) -> None:
        """A remark beside the result, on stderr (silenced by -q)."""
        if self.verbosity >= 0:
            click.echo(message, err=True)

    def info(self, message: str) -> None:
        """A detail only -v asks for, on stderr."""
        if self.verbosity > 0:
            click.echo(f"kg: {message}", err=True)


# Set while a command runs with -f json, so that an error is reported as JSON too (see main()).
JSON_ERRORS = {"on": False}


def _root(ctx: click.Context) -> App:
    return ctx.find_root().obj["app"]


def _data_dir(_ctx, _param, value: Path | None) -> Path | None:
    """A --data directory that exists (a usage error, exit 2, if not)."""
    if value is not None and not value.is_dir():
        from kg.errors import UsageError

        raise UsageError("no such data directory", where=str(value))
    return value


def _set_data(ctx: click.Context, param, value):
    if _data_dir(ctx, param, value) is not None:  # `kg CMD --data DIR` means the same as `kg --data DIR CMD`
        _root(ctx).data = value
    return value


def _set_debug(ctx: click.Context, _param, value):
    if value:
        _root(ctx).debug = True
    return value


def _set_verbosity(step: int):
    def callback(ctx: click.Context, _param, value):
        _root(ctx).verbosity += step * value
        return value

    return callback


def _note_format(_ctx, _param, value):
    JSON_ERRORS["on"] = value == "json"
    return value


def _complete_entity(ctx: click.Context, _param, incomplete: str):
    """Shell completion of entity names (labels, then keys) from the cached build, if there is one."""
    from kg.build import cached_dir, cached_names

    cache = cached_dir(ctx.find_root().params.get("data"))
    names = cached_names(cache) if cache else None
    if names is None:
        return []
    low = incomplete.casefold()
    found = sorted({label for label in names.labels.values() if label.casefold().startswith(low)})
    return (found + sorted(k for k in names.labels if k.startswith(low) and k not in found))[:100]


def _complete_query(_ctx, _param, incomplete: str):
    """Shell completion of named query names."""
    from kg.query import list_queries

    return [q.name for q in list_queries() if q.name.startswith(incomplete)]


def _complete_param(_ctx, _param, incomplete: str):
    """Shell completion of NAME= for --param, from the named queries' parameters."""
    from kg.query import list_queries

    names = sorted({p.name for q in list_queries() for p in q.params})
    return [f"{n}=" for n in names if f"{n}=".startswith(incomplete)]


DATA_HELP = "Dataset directory (default: the embedded ketamine data)."


def _data_option(callback, **kwargs):
    """--data DIR (or $MECHKG_DATA), checked to exist by `callback`."""
    type_ = click.Path(path_type=Path)
    return click.option("--data", type=type_, envvar="MECHKG_DATA", show_envvar=True, callback=callback, **kwargs)


def common(command):
    """The options every command takes, anywhere on the line: --data, --debug, -q, -v."""
    options = (
        _data_option(_set_data, expose_value=False, help=DATA_HELP),
        click.option("--debug", is_flag=True, expose_value=False, callback=_set_debug, help="Show tracebacks."),
        click.option(
            "-q",
            "--quiet",
            count=True,
            expose_value=False,
            callback=_set_verbosity(-1),
            help="Only results and errors.",
        ),
        click.option(
            "-v", "--verbose", count=True, expose_value=False, callback=_set_verbosity(1), help="Say more on stderr."
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


data_option = common  # every command that reads the graph takes the common options
output_option = click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    type=click.Path(allow_dash=True),
    help="Output file; - for stdout.",
)
evidence_option = click.option(
    "--evidence",
    type=click.Choice(["best", "all"], case_sensitive=False),
    default="best",
    show_default=True,
    help="Quotes per claim: the best one, or every one with notes in full.",
)


def format_option(*choices: str, default: str = "text"):
    """A -f/--format option with the given choices (any case)."""
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(choices, case_sensitive=False),
        default=default,
        show_default=True,
        callback=_note_format,
        help="Output format.",
    )


def app() -> App:
    """The App of the running command."""
    return _root(click.get_current_context())


def emit(text: str, output: str = "-") -> None:
    """Print to stdout or write atomically to a file."""
    from kg.export import atomic_write

    atomic_write(output, (text if text.endswith("\n") else text + "\n").encode())


def emit_json(data, output: str = "-") -> None:
    """Print stable, indented JSON."""
    emit(json.dumps(data, indent=2, ensure_ascii=False, default=str), output)


def layout(output: str, evidence: str = "best", screen: bool = True):
    """How to size text for where it goes: a terminal's width, height (when `screen`) and colour; else plain."""
    from kg.render import terminal_layout

    return terminal_layout(output == "-" and sys.stdout.isatty(), evidence=evidence, screen=screen)


def emit_text(text: str, output: str = "-") -> None:
    """Text for a person: through a pager when a terminal cannot hold it, else printed or written as emit()."""
    if output == "-" and sys.stdout.isatty():
        import shutil

        if text.count("\n") + 1 > shutil.get_terminal_size().lines - 1:
            from kg.term import clean_text

            click.echo_via_pager(clean_text(text) + "\n", color=True)  # the pager writes to the terminal itself
        else:
            click.echo(text, color=True)
        return
    emit(text, output)


def note(message: str) -> None:
    """A remark for the user on stderr, beside the result (silenced by -q)."""
    app().say(f"kg: note: {message}")


@click.group(context_settings=CONTEXT)
@_data_option(_data_dir, default=None, help=DATA_HELP)
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors (anywhere on the line).")
@click.option("-q", "--quiet", count=True, help="Only results and errors: no remarks on stderr (anywhere on the line).")
@click.option("-v", "--verbose", count=True, help="Say more on stderr (anywhere on the line).")
@click.version_option(package_name="mechkg")
@click.pass_context
def cli(ctx: click.Context, data: Path | None, debug: bool, quiet: int, verbose: int) -> None:
    """mechkg — a signed, evidence-backed mechanism knowledge graph.

    \b
    Examples:
      kg how ketamine fatigue
      kg show "NMDA receptor"
      kg validate --corpus ../shared/seeds
      kg sparql mechanism-chain --param drug=ketamine

    \b
    Shell completion (entity and query names too), e.g. for bash:
      eval "$(_KG_COMPLETE=bash_source kg)"
    """
    obj = ctx.ensure_object(dict)
    obj["app"] = App(data, debug)
    obj["app"].verbosity = verbose - quiet


@cli.command(context_settings=CONTEXT)
@data_option
@click.option("--corpus", type=click.Path(path_type=Path, file_okay=False), help="Directory of source documents.")
@click.option("--shacl/--no-shacl", default=True, show_default=True, help="Also check the SHACL shapes.")
@format_option("text", "json")
def validate(corpus: Path | None, shacl: bool, fmt: str) -> None:
    """Check the data: references, types, CURIEs, SHACL, and quotes against --corpus.

    Prints one line per problem (file:line: what) and exits 1, or prints counts and exits 0.

    \b
    Example:
      kg validate --corpus ../shared/seeds
    """
    from kg import resources
    from kg.progress import terminal_progress
    from kg.validate import run_validation

    with terminal_progress() as progress:
        report = run_validation(app().data or resources.data_dir(), corpus, shacl, progress)
    if fmt == "json":
        emit_json(
            {
                "ok": report.ok,
                "counts": report.counts,
                "checked": report.checked,
                "problems": [{"where": p.where, "message": p.message, "code": p.code} for p in report.problems],
            }
        )
    elif report.ok:
        counts = ", ".join(f"{v} {k}" for k, v in report.counts.items())
        click.echo(f"valid: {counts} (checked: {', '.join(report.checked)})")
    else:
        for p in report.problems:
            click.echo(str(p))
        click.echo(f"{len(report.problems)} problem(s)", err=True)
    sys.exit(0 if report.ok else 1)


@cli.command(context_settings=CONTEXT)
@data_option
@format_option("text", "json")
@output_option
def stats(fmt: str, output: str) -> None:
    """Counts of entities and statements, and the curation report: ID coverage, conflicts, entities without an ID.

    \b
    Example:
      kg stats --format json
    """
    from kg.render import stats_text

    s = app().graph.stats()
    emit_json(s, output) if fmt == "json" else emit(stats_text(s), output)


@cli.command(context_settings=CONTEXT)
@data_option
@click.argument("name", shell_complete=_complete_entity)
@format_option("text", "json")
@output_option
@evidence_option
def show(name: str, fmt: str, output: str, evidence: str) -> None:
    """The entity card: IDs, synonyms, definition and every statement in and out, with evidence.

    NAME is a label, synonym, key, CURIE or IRI.

    \b
    Examples:
      kg show ketamine
      kg show "NMDA receptor"
      kg show CHEBI:6121 --format json
    """
    from kg.describe import entity_card
    from kg.render import card_text

    card = entity_card(app().graph, app().resolve(name).key)
    if fmt == "json":
        emit_json(card.to_dict(), output)
    else:
        emit_text(card_text(card, layout(output, evidence, screen=False)), output)


@cli.command(context_settings=CONTEXT)
@data_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["ttl", "nt", "jsonld", "graphml", "kgx"], case_sensitive=False),
    help="Format; guessed from the -o extension, else ttl.",
)
@output_option
def export(fmt: str | None, output: str) -> None:
    """Write the graph as Turtle, N-Triples, JSON-LD, GraphML or KGX TSV (nodes + edges).

    \b
    Examples:
      kg export -f ttl -o g.ttl
      kg export -f kgx -o ketamine        # ketamine_nodes.tsv + ketamine_edges.tsv
    """
    from kg.export import RDF_FORMATS, guess_format
    from kg.export import export as do_export

    fmt = guess_format(output, fmt)
    # the RDF formats stream the build's N-Triples: no need to load the graph when the build is cached
    written = do_export((fmt in RDF_FORMATS and app().cache_dir) or app().graph, fmt, output)
    if written != ["-"]:
        app().say(f"wrote {', '.join(written)}")


@cli.command(context_settings=CONTEXT)
@data_option
@click.argument("subject", shell_complete=_complete_entity)
@click.argument("object_", metavar="OBJECT", shell_complete=_complete_entity)
@click.option("--max-length", default=6, show_default=True, type=click.IntRange(1, 12), help="Longest chain, in hops.")
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 100), help="How many paths to show.")
@click.option("--exclude-disputed", is_flag=True, help="Drop disputed claims from the search.")
@click.option("--associative", is_flag=True, help="Also walk associative links (their hops make an effect unknown).")
@format_option("text", "json", "markdown")
@output_option
@click.option("--html", "html", type=click.Path(dir_okay=False), help="Also write the path view as an HTML file.")
@evidence_option
def how(subject, object_, max_length, top, exclude_disputed, associative, fmt, output, html, evidence) -> None:
    """How does SUBJECT affect OBJECT? The net effect and the ranked mechanism chains, each hop quoted.

    Exit 0 when a link is found, 1 for no known link, 2 for an unknown or ambiguous name.

    \b
    Examples:
      kg how ketamine fatigue
      kg how ketamin tiredness --format markdown
      kg how NMDA "glutamic acid" --format json
      kg how ketamine fatigue --html path.html
    """
    from kg.explain import EXIT_CODES, ask, how_report
    from kg.render import how_markdown, how_text

    graph = app().graph
    answer, resolutions, extra = ask(
        graph,
        subject,
        object_,
        names=app().names,
        max_length=max_length,
        top=top,
        exclude_disputed=exclude_disputed,
        associative=associative,
    )
    report = how_report(graph, answer, resolutions, extra)
    code = EXIT_CODES.get(answer.code, 2)
    if fmt == "json":
        emit_json(report, output)
    elif answer.code not in ("found", "no-path", "disputed-only"):  # refused, or nothing to answer: on stderr
        click.echo(f"kg: {'error' if code == 2 else 'note'}: {how_text(report)}", err=True)
    elif fmt == "markdown":
        emit(how_markdown(report), output)
    else:
        fit_screen = click.get_current_context().get_parameter_source("top").name == "DEFAULT"
        emit_text(how_text(report, layout(output, evidence, screen=fit_screen)), output)
    if html and answer.paths:
        from kg.viz import path_html, write_html

        write_html(html, path_html(graph, answer, resolutions=resolutions))
        app().say(f"wrote {html}")
    sys.exit(code)


def _reach(
    name: str, types: tuple[str, ...], max_length: int, exclude_disputed: bool, fmt: str, output: str, upstream: bool
) -> None:
    from kg.explain import open_search, reach_report
    from kg.render import reach_text

    graph = app().graph
    res, rows = open_search(
        graph,
        name,
        names=app().names,
        upstream=upstream,
        types=types,
        max_length=max_length,
        exclude_disputed=exclude_disputed,
    )
    report = reach_report(graph, res, rows, upstream)
    emit_json(report, output) if fmt == "json" else emit_text(reach_text(report, layout(output, screen=False)), output)


@cli.command(context_settings=CONTEXT)
@data_option
@click.argument("name")
@click.option("--type", "types", multiple=True, help="Only entities of this type (e.g. Symptom); repeatable.")
@click.option("--max-length", default=6, show_default=True, type=click.IntRange(1, 12))
@click.option("--exclude-disputed", is_flag=True, help="Ignore disputed claims.")
@format_option("text", "json")
@output_option
def effects(name, types, max_length, exclude_disputed, fmt, output) -> None:
    """Everything downstream of NAME, with its net effect and best path.

    \b
    Example:
      kg effects ketamine --type Symptom --format json
    """
    _reach(name, types, max_length, exclude_disputed, fmt, output, upstream=False)


@cli.command(context_settings=CONTEXT)
@data_option
@click.argument("name")
@click.option("--type", "types", multiple=True, help="Only entities of this type (e.g. Drug); repeatable.")
@click.option("--max-length", default=6, show_default=True, type=click.IntRange(1, 12))
@click.option("--exclude-disputed", is_flag=True, help="Ignore disputed claims.")
@format_option("text", "json")
@output_option
def causes(name, types, max_length, exclude_disputed, fmt, output) -> None:
    """Everything upstream of NAME: what raises or lowers it, with net effect and best path.

    \b
    Example:
      kg causes fatigue
    """
    _reach(name, types, max_length, exclude_disputed, fmt, output, upstream=True)


@cli.command(context_settings=CONTEXT)
@data_option
@format_option("text", "json")
@output_option
@evidence_option
def conflicts(fmt: str, output: str, evidence: str) -> None:
    """Every disputed claim and every pair of conflicting claims, with both quotes and the curator's note.

    \b
    Example:
      kg conflicts
    """
    from kg.describe import conflicts as find_conflicts
    from kg.render import conflicts_text

    items = find_conflicts(app().graph)
    if fmt == "json":
        emit_json(items, output)
        return
    emit_text(conflicts_text(items, layout(output, evidence, screen=False)), output)


@cli.command(context_settings=CONTEXT)
@data_option
@click.option("--around", metavar="NAME", help="Only the neighbourhood of this entity.")
@click.option("--depth", default=1, show_default=True, type=click.IntRange(0, 10), help="Links out from --around.")
@click.option("--path", "path", nargs=2, metavar="X Y", help="The chains by which X affects Y, left to right.")
@click.option("--tour", "tour", nargs=2, metavar="X Y", help="A guided walk through the chains by which X affects Y.")
@click.option("--all", "everything", is_flag=True, help="Draw every entity at once (not the start view).")
@click.option("--max-length", default=6, show_default=True, type=click.IntRange(1, 12), help="Longest chain (--path).")
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 100), help="How many chains (--path).")
@click.option("--type", "types", multiple=True, help="Only entities of this type (or a subtype); repeatable.")
@click.option("--source", "sources", multiple=True, help="Only claims quoted from this source key; repeatable.")
@click.option("--title", help="Page title.")
@click.option("--open", "open_", is_flag=True, help="Open the page in a web browser.")
@output_option
def viz(around, depth, path, tour, everything, max_length, top, types, sources, title, open_, output) -> None:
    """Write an interactive, self-contained HTML view of the graph (works offline, from file://).

    Without options: the start view (the drug, its target and the documents' main mechanism chain; the rest a
    click away; a guided tour).

    \b
    Examples:
      kg viz -o start.html
      kg viz --all -o graph.html
      kg viz --around glutamate --depth 2 -o glutamate.html --open
      kg viz --path ketamine fatigue -o chains.html
      kg viz --tour ketamine depression -o tour.html
      kg viz --type Drug --type Receptor --source cycle -o drugs.html
    """
    from kg.errors import UsageError
    from kg.viz import graph_html

    chains = path or tour
    if path and tour:
        raise UsageError("--path and --tour cannot be combined")
    if chains and (around or types or sources or everything):
        raise UsageError(f"--{'path' if path else 'tour'} cannot be combined with --around, --type, --source or --all")
    _check_html_output(output, open_)
    if chains:
        page = _chains_page(chains, max_length, top, title, tour=bool(tour))
    else:
        key = app().resolve(around).key if around else None
        page = graph_html(
            app().graph,
            around=key,
            depth=depth,
            types=types,
            sources=sources,
            title=title,
            warn=note,
            everything=everything,
        )
    _write_page(page, output, open_)


@cli.command(context_settings=CONTEXT)
@data_option
@click.argument("subject", required=False, shell_complete=_complete_entity)
@click.argument("object_", metavar="[OBJECT]", required=False, shell_complete=_complete_entity)
@click.option("--max-length", default=6, show_default=True, type=click.IntRange(1, 12), help="Longest chain, in hops.")
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 100), help="How many chains.")
@click.option("--title", help="Page title.")
@click.option("--open", "open_", is_flag=True, help="Open the page in a web browser.")
@output_option
def tour(subject, object_, max_length, top, title, open_, output) -> None:
    """A guided walk, one claim at a time, through the chains by which SUBJECT affects OBJECT (one HTML page).

    Each step highlights two entities and the arrow between them, says in plain words what happens and what the
    change is so far, how sure the documents are, and quotes them. Without SUBJECT and OBJECT: the data's drug and
    the condition it treats (ketamine → depression in the embedded data).

    \b
    Examples:
      kg tour -o tour.html
      kg tour ketamine fatigue -o fatigue.html --open
    """
    from kg.errors import UsageError
    from kg.tour import default_pair

    if (subject is None) != (object_ is None):
        raise UsageError("give both SUBJECT and OBJECT, or neither for the default tour")
    _check_html_output(output, open_)
    if subject is None:
        pair = default_pair(app().graph)
        if pair is None:
            raise UsageError("this dataset has no drug that treats anything: give SUBJECT and OBJECT")
        names = pair
    else:
        names = (subject, object_)
    _write_page(_chains_page(names, max_length, top, title, tour=True), output, open_)


def _check_html_output(output: str, open_: bool) -> None:
    from kg.errors import UsageError

    if output == "-" and not open_ and sys.stdout.isatty():
        raise UsageError("an HTML page is not for the terminal: give -o FILE.html, --open, or pipe the output")


def _chains_page(names, max_length: int, top: int, title: str | None, tour: bool) -> str:
    """The path view (or the tour) of how the first name affects the second; exit 1 when no chain links them."""
    from kg.explain import ask
    from kg.viz import path_html

    graph = app().graph
    resolutions = [app().resolve(name) for name in names]
    answer, _, _ = ask(graph, *(r.key for r in resolutions), names=app().names, max_length=max_length, top=top)
    if not answer.paths:
        s, o = (graph.entities[r.key].label for r in resolutions)
        app().say(f"kg: {answer.message or f'no known link from {s} to {o} within {max_length} steps'}")
        sys.exit(1)
    return path_html(graph, answer, title=title, resolutions=resolutions, tour=tour)


def _write_page(page: str, output: str, open_: bool) -> None:
    """Write the page (to a temporary file when only --open was given), say where, and open it if asked."""
    from kg.viz import write_html

    if output == "-" and open_:
        import os
        import tempfile

        fd, output = tempfile.mkstemp(prefix="mechkg-", suffix=".html")
        os.close(fd)
    write_html(output, page)
    if output != "-":
        app().say(f"wrote {output}")
    if open_:
        import webbrowser

        webbrowser.open(Path(output).resolve().as_uri())


# --- growing the graph: suggest and review (issue 19) -------------------------------------------------------


@cli.command(context_settings=CONTEXT)
@data_option
@click.argument("document", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False), help="Review file.")
@click.option("--source", "source", metavar="KEY", help="Source key (default: from the file name).")
@click.option("--title", help="The document's title (default: from the document).")
@click.option("--cues", multiple=True, type=click.Path(path_type=Path, dir_okay=False), help="More cue words (YAML).")
def suggest(document: Path, output: Path, source: str | None, title: str | None, cues: tuple[Path, ...]) -> None:
    """Read a text, HTML or PDF document into candidate claims, written to a review file for `kg review`.

    \b
    Example:
      kg suggest article.html -o article.review.yaml --source smith-2024
    """
    from kg import resources
    from kg.load import load_dataset
    from kg.review import save_review
    from kg.suggest import suggest_file
    from kg.vocab import load_vocabulary

    data, _ = load_dataset(app().data or resources.data_dir())
    review = suggest_file(document, data, load_vocabulary(), source, title, cues)
    save_review(output, review)
    n, e = len(review["statements"]), len(review["entities"])
    app().say(
        f"wrote {output}: {n} candidate claim(s), {e} new entit{'y' if e == 1 else 'ies'} from "
        f"{review['review']['words']} words; next: kg review {output} --corpus DIR"
    )


@cli.command(context_settings=CONTEXT)
@data_option
@click.argument("review_file", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--corpus", type=click.Path(path_type=Path, file_okay=False), help="Where the document's text goes.")
@click.option("--accept-all", is_flag=True, help="Accept every pending candidate (see --min-confidence).")
@click.option("--min-confidence", default=0.0, type=click.FloatRange(0, 1), help="With --accept-all.")
@click.option("--accept", "accept_ids", multiple=True, metavar="ID", help="Accept these candidates (c001,c002 …).")
@click.option("--reject", "reject_ids", multiple=True, metavar="ID", help="Reject these candidates.")
def review(review_file: Path, corpus, accept_all: bool, min_confidence: float, accept_ids, reject_ids) -> None:
    """Review candidate claims; accepted ones go into the data once the result passes validation.

    Without --accept/--reject/--accept-all, one candidate at a time: a accept, e edit, r reject, s skip,
    u undo, q quit (decisions are kept in FILE; run again to resume). Without --corpus nothing is written.

    \b
    Examples:
      kg review article.review.yaml --corpus corpus
      kg review article.review.yaml --corpus corpus --accept-all --min-confidence 0.6
      kg review article.review.yaml --corpus corpus --accept c001,c004 --reject c002
    """
    from kg import resources
    from kg.review import run_review

    ids = {d: [i for arg in args for i in arg.split(",") if i] for d, args in (("accepted", accept_ids),
                                                                             ("rejected", reject_ids))}  # fmt: skip
    batch = accept_all or any(ids.values())
    report = run_review(
        review_file,
        app().data or resources.data_dir(),
        corpus,
        ids,
        min_confidence if accept_all else None,
        one_by_one=None if batch else _one_by_one(),
        on_problem=lambda p: click.echo(str(p), err=True),
    )
    app().say(report)


def _one_by_one():
    """The interactive review: each candidate on the terminal, single keys (lines when piped)."""
    from kg.review_loop import run

    return lambda review, data, vocab, save: run(review, data, vocab, _terminal(), save)


def _terminal():
    """The keys and lines of the interactive review: single keys on a terminal, lines when piped."""
    from kg.review_loop import Terminal

    tty = sys.stdin.isatty()

    def line(prompt: str) -> str:
        click.echo(prompt, nl=False)
        text = sys.stdin.readline()
        if not tty:
            click.echo(text.rstrip("\n"))
        return text.rstrip("\n")

    def key(prompt: str) -> str:
        if not tty:
            return line(prompt).strip().lower()[:1] or "q"
        click.echo(prompt, nl=False)
        k = click.getchar()
        click.echo(k)
        return k.strip().lower()[:1]

    return Terminal(key, line, click.echo, colour=tty and sys.stdout.isatty())


# --- SPARQL: named queries, queries, endpoint, push (issue 5) ----------------------------------------------


@cli.command(context_settings=CONTEXT)
@common
@click.argument("name", required=False, shell_complete=_complete_query)
@format_option("text", "json")
def queries(name: str | None, fmt: str) -> None:
    """List the named SPARQL queries (name, title, parameters), or show one with its text.

    \b
    Examples:
      kg queries
      kg queries --format json
      kg queries mechanism-chain
    """
    from kg.query import get_query, list_queries, queries_text

    found = [get_query(name)] if name else list_queries()
    if fmt == "json":
        emit_json([{**q.to_dict(), **({"text": q.text} if name else {})} for q in found])
    else:
        emit(queries_text(found, full=bool(name)))


@cli.command(context_settings=CONTEXT)
@data_option
@click.argument("query_arg", metavar="QUERY", shell_complete=_complete_query)
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    shell_complete=_complete_param,
    help='Bind a variable: an entity name, CURIE, <IRI> or "literal"; repeatable.',
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "xml", "csv", "tsv", "ttl", "nt", "jsonld"], case_sensitive=False),
    callback=_note_format,
    help="Output format; guessed from -o, else table (SELECT, ASK) or ttl (CONSTRUCT, DESCRIBE).",
)
@output_option
@click.option(
    "--max-rows",
    type=click.IntRange(min=0),
    metavar="N",
    help=f"Table output: show the first N rows (0: all). Default: {TERMINAL_ROWS} on a terminal, all otherwise.",
)
@click.option(
    "--page",
    type=click.IntRange(min=1),
    default=1,
    metavar="N",
    help="Table output: show the N-th --max-rows rows (default: the first).",
)
@click.option(
    "--timeout",
    default=120.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Stop the query after this many seconds (0: no limit).",
)
@click.option("--endpoint", metavar="URL", help="Run the query at this remote SPARQL endpoint instead.")
@click.option("--allow-remote", is_flag=True, help="Let a local query call other endpoints (SERVICE).")
@click.option("--allow-update", is_flag=True, help="With --endpoint: send a SPARQL update (INSERT, DELETE …).")
def sparql(
    query_arg: str,
    params: tuple[str, ...],
    fmt: str | None,
    output: str,
    max_rows: int | None,
    page: int,
    timeout: float,
    endpoint: str | None,
    allow_remote: bool,
    allow_update: bool,
) -> None:
    """Run a SPARQL 1.1 query: a named query, a file, '-' for stdin, or the query text itself.

    All project prefixes (mk:, ent:, stmt:, src:, rdf:, rdfs:, skos:, CHEBI: …) are predeclared.
    ASK prints true or false and exits 0 or 1.

    \b
    Examples:
      kg sparql mechanism-chain --param drug=ketamine
      kg sparql relieved-symptoms -p drug=ketamine -p min_sources=2 -f json
      kg sparql 'SELECT ?x WHERE { ?x a mk:Neurotransmitter }'
      kg sparql my-query.rq -f csv -o out.csv
      kg sparql neighbourhood -p entity=glutamate -f ttl
      kg sparql mechanism-chain --endpoint http://localhost:7878/query
    """
    from kg.errors import UsageError
    from kg.export import atomic_write
    from kg.query import Binder, choose_format, load_query_arg, render, row_count, rows_note, run

    query = load_query_arg(query_arg, stdin_text=lambda: sys.stdin.read())
    if allow_update and not endpoint:
        raise UsageError("--allow-update works only with --endpoint: the local graph is read-only")
    fmt = "table" if query.form == "UPDATE" else choose_format(fmt, output, query.form)
    if not endpoint:
        from kg.store import store_beside

        app().companion = store_beside  # new data: the store is loaded while the graph is built, not after
    binder = Binder(lambda: app().names, resolve=lambda name: app().resolve(name).key)
    bindings = binder.bind(query, params)
    terminal = output == "-" and sys.stdout.isatty()
    max_rows = (TERMINAL_ROWS if terminal else 0) if max_rows is None else max_rows
    if page > 1 and not (fmt == "table" and max_rows):
        raise UsageError("--page counts pages of --max-rows rows of a table: give --max-rows N")
    result = run(
        query,
        bindings,
        fmt,
        graph=lambda: app().graph,
        cache_dir=None if endpoint else app().cache_dir,
        endpoint=endpoint,
        allow_remote=allow_remote,
        allow_update=allow_update,
        timeout=timeout,
        window=((page - 1) * max_rows, max_rows) if max_rows else None,  # a large answer: only the rows shown
    )
    if query.form == "UPDATE":
        app().say(f"update sent to {endpoint}")
        return
    atomic_write(output, render(result, fmt, terminal=terminal))
    if fmt == "table" and result.form == "select":
        app().say(rows_note(result, row_count(result) or 0, page))
    if output != "-":
        app().say(f"wrote {output}")
    if result.form == "ask":
        sys.exit(0 if result.boolean else 1)


@cli.command(context_settings=CONTEXT)
@data_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free).")
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Time limit per query, in seconds.",
)
@click.option("--allow-remote", is_flag=True, help="Let queries call other endpoints (SERVICE).")
def serve(host: str, port: int, timeout: float, allow_remote: bool) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint, with a query page that works offline.

    The endpoint is /query (GET or POST, content negotiation); updates are refused. Needs the
    `oxigraph` server: pip install 'mechkg[serve]'. Ctrl-C stops it.

    \b
    Examples:
      kg serve
      kg serve --port 8080 --timeout 10
    """
    from kg.serve import serve as run_server
    from kg.store import store_beside

    app().companion = store_beside

    def ready(url: str) -> None:
        app().say(f"serving the graph at {url} (SPARQL endpoint: {url}query); Ctrl-C to stop")
        if host not in ("127.0.0.1", "localhost", "::1"):
            click.echo(f"note: listening on {host}, so other machines can reach this endpoint", err=True)

    run_server(app().graph, host=host, port=port, timeout=timeout, allow_remote=allow_remote, on_ready=ready)
    app().say("stopped")


@cli.command(context_settings=CONTEXT)
@data_option
@click.option(
    "--endpoint", required=True, metavar="URL", help="The Graph Store Protocol URL, e.g. http://localhost:7878/store."
)
@click.option("--graph", "graph_iri", metavar="IRI", help="Load into this named graph (default: the default graph).")
@click.option("--append", is_flag=True, help="Add to the graph (POST) instead of replacing it (PUT).")
@click.option("--timeout", default=300.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds.")
def push(endpoint: str, graph_iri: str | None, append: bool, timeout: float) -> None:
    """Load the built graph into a SPARQL store through the Graph Store HTTP Protocol (N-Triples).

    \b
    Examples:
      kg push --endpoint http://localhost:7878/store
      kg push --endpoint http://localhost:3030/ds/data --graph https://w3id.org/mechkg/graph --append
    """
    from kg.remote import push as do_push

    source = app().cache_dir or app().graph  # a cached build's N-Triples file is streamed without loading the graph
    target, count = do_push(source, endpoint, graph_iri=graph_iri, replace=not append, timeout=timeout)
    app().say(f"{'added' if append else 'loaded'} {count} triples into {target}")


def error_report(exc: KGError) -> dict:
    """An error as JSON-ready data: what, where, the exit code, and the names offered instead if any."""
    from kg.errors import ValidationError
    from kg.resolve import ResolveError

    out = {"error": type(exc).__name__, "message": exc.message, "where": exc.where, "exit": exc.exit_code}
    if isinstance(exc, ResolveError):
        out.update(resolution=exc.kind, candidates=exc.candidates)
    if isinstance(exc, ValidationError):
        out["problems"] = [{"where": p.where, "message": p.message, "code": p.code} for p in exc.problems]
    return out


def main() -> None:
    """Run the CLI: KGError → one line and its exit code; tracebacks only with --debug."""
    from kg.term import guard_terminal

    guard_terminal()  # escape sequences from data never reach a terminal
    code = _run("--debug" in sys.argv[1:])
    try:  # what is still buffered is written now, so that a full disk is an error, not a message at exit
        sys.stdout.flush()
    except BrokenPipeError:
        code = code or 0
    except OSError as exc:
        _error(f"cannot write to standard output: {exc.strerror or exc}")
        code = code or 1
    _quiet_exit(code)


def _run(debug: bool) -> int:
    try:
        for i, arg in enumerate(sys.argv[1:], 1):
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError:
                raw = arg.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
                _error(f"argument {i} is not valid UTF-8: {raw}")
                return 2
        rv = cli.main(standalone_mode=False, prog_name="kg")
        return rv if isinstance(rv, int) else 0
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KGError as exc:
        if debug:
            raise
        from kg.errors import ValidationError

        if JSON_ERRORS["on"]:  # -f json: the error is data too, on stdout, beside the one line on stderr
            emit_json({"error": error_report(exc)})
        if isinstance(exc, ValidationError):
            for p in exc.problems:
                click.echo(str(p), err=True)
        _error(str(exc))
        return exc.exit_code
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # an I/O failure the command did not expect: said in one line
        if debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        return 1
    except (RecursionError, MemoryError) as exc:
        if debug:
            raise
        what = "nested too deeply" if isinstance(exc, RecursionError) else "too large for the memory available"
        _error(f"the input is {what} to process")
        return 1
    except Exception as exc:  # the last line of defence: no traceback unless asked for
        if debug:
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        return 1


def _error(message: str) -> None:
    with contextlib.suppress(OSError):
        click.echo(f"kg: error: {message}", err=True)


def _quiet_exit(code: int) -> None:
    """Exit with `code`; a standard output whose reader has gone is not reported again at shutdown."""
    try:
        sys.stdout.flush()
    except OSError:
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(code)


if __name__ == "__main__":
    main()
