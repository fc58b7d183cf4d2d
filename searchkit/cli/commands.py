"""The searchkit command: a thin layer over the library."""

from __future__ import annotations

import os
import shutil
import sys
import time
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Callable, Iterator, TextIO

import click

from searchkit.version import __version__
from searchkit.errors import IndexDamaged, SearchkitError
from searchkit.ingest.report import counted

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

    from searchkit.ingest.report import IngestReport
    from searchkit.search.results import SearchResult

DEFAULT_SEEDS = "seeds"
# Below this many bytes to read an ingest is quick enough to need no progress bar.
PROGRESS_MIN_BYTES = 5_000_000
# Past this many words a single query is scored with numpy (see query below).
FEW_WORDS = 4

INDEX_HELP = ("Index folder, or opensearch+http://HOST:PORT/NAME for an index in an OpenSearch cluster "
              "(environment: SEARCHKIT_INDEX).")


def _index_of_the_command_line(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A command's --index, else the one given before the command
    (``searchkit --index DIR query ...``), else the environment's, else ./index."""
    given_before = ctx.find_root().params.get("index_path")  # through a group (`searchkit --index D alert add`)
    if given_before is not None and ctx.get_parameter_source(param.name or "") is not click.core.ParameterSource.COMMANDLINE:
        return given_before
    return value


index_option = click.option(
    "--index",
    "index_path",
    default="index",
    show_default=True,
    envvar="SEARCHKIT_INDEX",
    type=click.Path(file_okay=False),
    callback=_index_of_the_command_line,
    help=INDEX_HELP,
)


class CliError(click.ClickException):
    """A one-line error, with the prefix of every searchkit error message."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"searchkit: error: {self.format_message()}", err=True)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Library errors a user can act on become one-line messages, exit status 1."""
    try:
        yield
    except SearchkitError as error:
        raise CliError(str(error)) from None


def _numpy_pays(query_text: str | None, batch_file: object) -> bool:
    """Whether loading numpy (about 0.1 s) pays for the queries asked. A
    query of a few words from the terminal is answered sooner without it; a
    longer one (a pasted paragraph: seconds through Whoosh's matchers) and a
    batch pay it once and then run ten times faster. Every match of one
    query is scored so too: its first rows are those of --limit N."""
    return batch_file is not None or len((query_text or "").split()) > FEW_WORDS


def _open_index(path: str, create: bool, fast_scoring: bool = False):
    from searchkit.index import Index

    with _user_errors():
        return Index(path, create=create, fast_scoring=fast_scoring)


class _Failure(click.ClickException):
    """A failure shown as the one line ``searchkit: error: ...``, exit status 1."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"searchkit: error: {_visible(self.format_message())}", err=True)


@contextmanager
def _one_line_failures() -> Iterator[None]:
    """Every failure a user can act on, from click (a bad option value, an
    unknown command) or from the library, as one line with exit status 1, as
    the README promises; click alone gives usage errors three lines and 2."""
    try:
        yield
    except _Failure:
        raise
    except click.UsageError as error:
        # Named as the user types it, whatever the program was started as.
        command = " ".join(["searchkit", *(error.ctx.command_path.split()[1:] if error.ctx else [])])
        raise _Failure(f"{error.format_message()} (see `{command} --help`)") from None
    except click.ClickException as error:
        raise _Failure(error.format_message()) from None
    except SearchkitError as error:
        raise _Failure(str(error)) from None


class _Searchkit(click.Group):
    def make_context(self, *args, **kwargs):
        with _one_line_failures():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        # Subcommands parse their options here, and run.
        with _one_line_failures():
            return super().invoke(ctx)


@click.group(cls=_Searchkit, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="searchkit")
@click.option("--index", "index_path", default=None, type=click.Path(file_okay=False), help=INDEX_HELP)
def main(index_path: str | None) -> None:
    """Search folders of French news articles.

    \b
    searchkit ingest seeds/
    searchkit query "libération de Mossoul"
    """


def _visible(text: str) -> str:
    # output (and its table of escapes) is loaded only when something is printed.
    from searchkit.cli.output import visible

    return visible(text)


def _say_problem(problem: object) -> None:
    kind = "warning" if getattr(problem, "warning", False) else "error"
    click.echo(f"searchkit: {kind}: {_visible(str(problem))}", err=True)


def _say_skipped(report: "IngestReport") -> None:
    for path, reason in report.skipped_files:
        click.echo(f"searchkit: skipped: {_visible(path)} ({reason})", err=True)


def _say_waiting(wait: float) -> Callable[[], None]:
    def say() -> None:
        click.echo(f"searchkit: another ingest or rebuild holds the index; waiting up to {wait:g} s", err=True)
    return say


follow_links_option = click.option(
    "--follow-links", is_flag=True,
    help="Read the files of symbolic links leading out of PATHS too (skipped and counted otherwise).")

wait_option = click.option(
    "--wait", default=0.0, show_default=True, type=click.FloatRange(min=0),
    help="Seconds to wait for another ingest holding the index.")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@index_option
@click.option("--prune", is_flag=True,
              help="Remove the articles of files that have gone from under PATHS.")
@click.option("--rebuild", is_flag=True,
              help="Build the index anew from every path it was ingested from (and PATHS), "
                   "as after an upgrade; the old index answers queries until then.")
@click.option("--from-index", "from_index", metavar="SOURCE",
              help="Copy every article of the index SOURCE (a folder, or opensearch+http://...) "
                   "with the stamps of its files, instead of reading PATHS.")
@wait_option
@click.option("-v", "--verbose", is_flag=True, help="Name each file skipped, with the reason.")
@follow_links_option
def ingest(paths: tuple[str, ...], index_path: str, prune: bool, rebuild: bool, from_index: str | None,
           wait: float, verbose: bool, follow_links: bool) -> None:
    """Index the articles in PATHS (folders are read recursively; default: seeds/).

    \b
    Reads, by extension: .txt .md (UTF-8, UTF-16 with BOM or Windows-1252),
    .html .htm (the article of a saved page, with its title, date, author),
    .json (an article object or a list), .jsonl .jsonl.gz (one a line).
    Article fields: "text" required; "id", "title", "date", "url", "source",
    "author" optional. Other files are skipped and counted (--verbose names
    them). A SOURCES.tsv or metadata.csv beside the files ("file", "date",
    "url", "source", "title", "author" columns) gives each file its metadata.

    Ingesting again only reads files that changed; their articles replace the
    earlier ones. A file that cannot be read is named on stderr with the reason
    and the rest is ingested (exit status 1).

    \b
    searchkit ingest seeds/ ~/news/2016
    searchkit ingest ~/news --prune
    searchkit ingest --rebuild
    searchkit ingest --from-index index --index opensearch+http://127.0.0.1:9200/news
    """
    if from_index is not None:
        if paths or prune or rebuild:
            raise CliError("--from-index copies an index: give no PATHS, --prune or --rebuild with it")
        _ingest_from(from_index, index_path, wait)
    if rebuild:
        from searchkit.index import Index

        with _progress(sys.stderr) as on_progress, _user_errors():
            index, report = Index.rebuild(index_path, paths, on_progress=on_progress,
                                          on_problem=_say_problem, wait=wait, on_wait=_say_waiting(wait),
                                          follow_links=follow_links)
        index.close()
        if verbose:
            _say_skipped(report)
        click.echo(f"Rebuilt: {report.summary()}.")
        sys.exit(1 if report.failed else 0)
    if not paths:
        if not os.path.isdir(DEFAULT_SEEDS):
            raise CliError(f"give the folders or files to ingest (searchkit ingest ~/news): "
                           f"there is no {DEFAULT_SEEDS}/ here to ingest by default")
        paths = (DEFAULT_SEEDS,)
    if not prune and not any(os.path.lexists(path) for path in paths):
        # A mistyped path: no index is created, nor a record of it.
        from searchkit.articles.sources import display_path

        raise CliError(f"{', '.join(map(display_path, paths))}: no such file or folder; nothing ingested")
    index = _open_index(index_path, create=True)
    with index, _progress(sys.stderr) as on_progress, _user_errors():
        report = index.ingest(paths, prune=prune, on_progress=on_progress, on_problem=_say_problem,
                              wait=wait, on_wait=_say_waiting(wait), follow_links=follow_links)
    if verbose:
        _say_skipped(report)
    click.echo(f"Ingested: {report.summary()}.")
    if report.failed:
        sys.exit(1)


def _ingest_from(source_path: str, index_path: str, wait: float) -> None:
    """ingest --from-index: every article of the index at ``source_path`` copied into ``index_path``."""
    from searchkit.errors import IndexNotFound

    try:
        source = _open_index(source_path, create=False)
    except CliError as error:
        found = isinstance(error.__context__, IndexNotFound)
        raise CliError(f"no index to copy from at {source_path}" if found
                       else f"cannot copy from {source_path}: {error.format_message()}") from None
    with source:
        index = _open_index(index_path, create=True)
        with index, _user_errors():
            report = index.ingest_from(source, on_problem=_say_problem, wait=wait, on_wait=_say_waiting(wait))
    click.echo(f"Copied: {report.summary()}.")
    sys.exit(1 if report.failed else 0)


@main.command()
@click.argument("targets", nargs=-1, required=True)
@index_option
@wait_option
def remove(targets: tuple[str, ...], index_path: str, wait: float) -> None:
    """Remove articles: TARGETS are article ids, or files or folders whose
    articles all go.

    \b
    searchkit remove wikinews_44269.txt
    searchkit remove ~/news/2016
    """
    with _open_index(index_path, create=False) as index, _user_errors():
        report = index.remove(targets, on_problem=_say_problem, wait=wait, on_wait=_say_waiting(wait))
    kept = (f" {report.added} of their texts, held by another file too, now indexed from it."
            if report.added else "")
    click.echo(f"Removed {report.removed} article{'' if report.removed == 1 else 's'}.{kept}")
    if report.failed:
        sys.exit(1)


@main.command()
@index_option
@wait_option
def optimize(index_path: str, wait: float) -> None:
    """Merge the index into one segment, leaving out removed articles.

    Ingests merge segments as they go, so this is rarely needed; afterwards
    the statistics count only the articles the index holds.

    \b
    searchkit optimize
    """
    with _open_index(index_path, create=False) as index, _user_errors():
        started = time.perf_counter()
        index.optimize(wait=wait, on_wait=_say_waiting(wait))
        articles = len(index)
    click.echo(f"Optimized: {articles} article{'' if articles == 1 else 's'} in one segment "
               f"in {time.perf_counter() - started:.1f} s.")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@index_option
@follow_links_option
@click.option("--notify", metavar="COMMAND",
              help="Run COMMAND when a saved search finds new articles, with their titles as its last "
                   "argument (e.g. 'notify-send searchkit'); run without a shell.")
def watch(paths: tuple[str, ...], index_path: str, follow_links: bool, notify: str | None) -> None:
    """Keep the index in step with PATHS while running: new, changed and
    deleted files are reflected in queries within seconds. After each
    ingest, the saved searches (searchkit alert) run and their new articles
    are printed. Ctrl-C stops.

    \b
    searchkit watch ~/news
    searchkit watch ~/news --notify 'notify-send searchkit'
    """
    import shlex

    from watchfiles import watch as file_changes

    try:
        notifier = shlex.split(notify) if notify is not None else None
    except ValueError as error:
        raise click.BadParameter(f"{notify!r}: {error}", param_hint="--notify") from None
    if notifier == []:
        raise click.BadParameter("an empty command", param_hint="--notify")

    def sync() -> None:
        try:
            report = index.ingest(paths, prune=True, on_problem=_say_problem, wait=60, follow_links=follow_links)
        except SearchkitError as error:
            click.echo(f"searchkit: error: {_visible(str(error))}", err=True)
            return
        if report.articles or report.removed or report.failed:
            click.echo(f"Ingested: {report.summary()}.")
        if report.added or report.updated:
            _run_alerts(index, notifier)

    index = _open_index(index_path, create=True)
    with index:
        try:
            sync()
            click.echo(f"Watching {_visible(', '.join(paths))} (Ctrl-C to stop).", err=True)
            # Also every 2 s without events: changes made before the watcher
            # started, or that it missed, are caught by a sync (stats only when
            # nothing changed).
            for _ in file_changes(*paths, debounce=400, step=100, rust_timeout=2000,
                                  yield_on_timeout=True, raise_interrupt=True):
                sync()
        except KeyboardInterrupt:
            pass
    click.echo("Stopped.", err=True)


def _run_alerts(index: Any, notifier: list[str] | None) -> None:
    """The saved searches run after an ingest of ``watch``: their new
    articles printed, and told to ``notifier`` (a command and its arguments)."""
    import subprocess

    from searchkit.cli.output import alert_lines
    from searchkit.search.alerts import matches_text

    try:
        runs = index.alerts.run()
    except SearchkitError as error:
        click.echo(f"searchkit: error: {_visible(str(error))}", err=True)
        return
    _echo_runs(runs, alert_lines)
    text = matches_text(runs)
    if notifier is not None and text:
        try:
            subprocess.run([*notifier, text], check=False, timeout=30, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError) as error:
            click.echo(f"searchkit: error: --notify {_visible(notifier[0])}: {_visible(str(error))}", err=True)


def _echo_runs(runs: list[Any], alert_lines: Callable[..., list[str]]) -> bool:
    """The new articles of ``runs`` on stdout, a query that no longer runs
    on stderr; whether all ran."""
    ran = True
    for run in runs:
        if run.error is not None:
            ran = False
            click.echo(f"searchkit: error: saved search {_visible(run.name)}: {_visible(run.error)}", err=True)
        for line in alert_lines(run):
            click.echo(line)
    return ran


class _progress:
    """A progress bar with rate and time left on a terminal, for ingests of
    more than a few megabytes; silent otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.enabled = stream.isatty()
        self.bar: ProgressBar[int] | None = None
        self.started = time.monotonic()

    def __enter__(self):
        return self.update

    def update(self, done: int, total: int) -> None:
        if not self.enabled or total < PROGRESS_MIN_BYTES:
            return
        bar = self.bar
        if bar is None:
            bar = self.bar = click.progressbar(length=total, label="Ingesting", file=sys.stderr, show_eta=True,
                                               show_percent=True, item_show_func=self._rate)
            bar.__enter__()
        bar.update(done - bar.pos, done)
        if done >= total:
            # Every file is read; the last postings are still to be written.
            bar.__exit__(None, None, None)
            self.bar, self.enabled = None, False
            click.echo("Writing the index...", file=sys.stderr)

    def _rate(self, done: int | None) -> str:
        seconds = time.monotonic() - self.started
        return f"{done / 1e6 / seconds:.1f} MB/s" if done and seconds > 0 else ""

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


color_option = click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
    help="Colour highlights (auto: on a terminal, unless NO_COLOR is set).")
marks_option = click.option(
    "--marks", type=click.Choice(["brackets", "stars", "none"]), default="brackets", show_default=True,
    help="Without colour, mark the hits in the text: [[word]], **word** or not at all (csv: not at all "
         "unless given).")

def _facet_names(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    from searchkit.errors import QueryError
    from searchkit.search.facets import facet_names

    try:
        return facet_names(value) if value is not None else ()
    except QueryError as error:
        raise click.BadParameter(str(error)) from None


def counting_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--facets and --timeline: counts of every matching article."""
    for option in reversed((
        click.option("--facets", metavar="NAMES", callback=_facet_names,
                     help="Count every matching article by month, source or author (comma-separated: "
                          "month,source,author), not only those shown."),
        click.option("--timeline", is_flag=True,
                     help="Chart the matching articles per day, week, month or year, as their span needs."),
        click.option("--timeline-unit", type=click.Choice(["day", "week", "month", "year"]),
                     help="The timeline by this unit (implies --timeline)."),
    )):
        command = option(command)
    return command


QUERY_HELP = """Show the passages that best match QUERY, best first.

\b
Syntax:
  words           ranked: passages with more of the words come first
  "a phrase"      the words in this order (stems; stop words skipped);
                  the phrase as written ranks first and is the one marked
  « a quote »     not required: articles with the words as written rank first
  -word, NOT word leave out articles with this word
  a AND b         both words;  a OR b: either (the default)
  ( ... )         grouping
  title:word      search one field: title, source, author, text
  libér*          words starting with libér (libération, libérer; not librairie)

\b
A misspelt name (Mosoul) that finds little is searched as the closest word
of the index too, with a "did you mean" line.

\b
Examples:
  searchkit query "libération de Mossoul"
  searchkit query '"coalition internationale" -Raqqa' --format json
  searchkit query 'djihad*' --since 2016 --sort date
  searchkit query --batch queries.tsv --format trec --limit 100
  searchkit query Mossoul --format csv --limit all > hits.csv
"""


class _QueryCommand(click.Command):
    """A query may start with "-word" (exclude a word): an argument is read as
    an option only when it is one of the command's options, written whole
    (``--limit``, ``-n``, ``--limit=5``), or a short one with a number joined
    (``-n5``); anything else starting with "-" is the query. Click alone read
    "-Chine Japon" as -C -h... and printed the help.
    Words given unquoted are one query, as if quoted: ``query libération Mossoul``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: set[str] = set()
        flags: set[str] = set()
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                names = [*param.opts, *param.secondary_opts]
                (flags if param.is_flag or param.count else takes_value).update(names)
        options: list[str] = []
        positionals: list[str] = []
        rest = iter(args)
        for arg in rest:
            name = arg.partition("=")[0] if arg.startswith("--") else arg
            if arg == "--":
                positionals.extend(rest)
            elif name in takes_value:
                options.append(arg)
                if "=" not in arg:
                    value = next(rest, None)
                    if value is None:
                        raise click.BadOptionUsage(name, f"Option '{name}' requires an argument.", ctx)
                    options.append(value)
            elif name in flags:
                options.append(arg)
            elif arg[:2] in takes_value and not arg.startswith("--") and arg[2:].isdigit():
                options += [arg[:2], arg[2:]]  # "-n5": not a word to exclude
            else:
                positionals.append(arg)
        return super().parse_args(ctx, options + ["--", " ".join(positionals)] if positionals else options)


class _Limit(click.ParamType):
    """A count of at least 1, or ``all`` (None): every match."""

    name = "N|all"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | None:
        if isinstance(value, int) or value is None:
            return value
        if value.strip().lower() == "all":
            return None
        try:
            return click.IntRange(min=1).convert(value, param, ctx)
        except click.BadParameter:
            self.fail(f"{value!r} is not a count of at least 1, nor 'all'", param, ctx)


# The formats whose hits are written as they are found, which take --limit all.
STREAMED_FORMATS = ("csv", "jsonl", "trec")


@main.command(cls=_QueryCommand, help=QUERY_HELP)
@click.argument("query_text", metavar="QUERY", required=False)
@index_option
@click.option("-n", "--limit", default=10, show_default=True, type=_Limit(),
              help="Passages to show (with --format trec: articles per query); 'all' for every match, "
                   "written as it is found, with --format csv, jsonl or trec.")
@click.option("--per-article", default=2, show_default=True, type=click.IntRange(min=1),
              help="At most this many passages of one article.")
@click.option("--format", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "json", "jsonl", "csv", "trec"]),
              help="Output format (csv: one row per passage, for spreadsheets and pandas).")
@click.option("--batch", "batch_file", type=click.File("rb"),
              help="Run every 'qid<TAB>query' line of this file ('-' for stdin; '#' lines are comments).")
@click.option("--plain", is_flag=True,
              help="Read the query as plain words, for text pasted as is: -, AND/OR/NOT and * mean "
                   "nothing; a quoted passage is not required, but the articles holding it rank first.")
@click.option("--since", metavar="DATE", help="Only articles dated DATE or later (2016, 2016-05, 2016-05-21).")
@click.option("--until", metavar="DATE", help="Only articles dated DATE or earlier.")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance",
              show_default=True, help="Order of the results (date: newest first).")
@click.option("--explain", is_flag=True,
              help="Say under each hit why its article matched: each word, the forms found and how, "
                   "and the parts of the score.")
@click.option("--copies", is_flag=True, help="Each copy of an article as a hit (default: a group of copies is one).")
@counting_options
@color_option
@marks_option
def query(
    query_text: str | None,
    index_path: str,
    limit: int | None,
    per_article: int,
    output_format: str,
    batch_file: BinaryIO | None,
    plain: bool,
    since: str | None,
    until: str | None,
    sort: str,
    explain: bool,
    facets: tuple[str, ...],
    timeline: bool,
    timeline_unit: str | None,
    copies: bool,
    color: str, marks: str,
) -> None:
    if (query_text is None) == (batch_file is None):
        raise click.UsageError("give either a QUERY or --batch FILE")
    if limit is None and output_format not in STREAMED_FORMATS:
        raise click.UsageError(f"--limit all is for --format csv, jsonl or trec; {output_format} "
                               f"takes a number (--limit 100)")
    whole = _whole_result_options(output_format, limit, explain=explain, facets=facets,
                                  timeline=timeline_unit or timeline)
    if output_format == "csv" and click.get_current_context().get_parameter_source("marks") \
            is click.core.ParameterSource.DEFAULT:
        marks = "none"  # a spreadsheet gets the text as it is, unless marks are asked for
    queries = _queries(query_text, batch_file, output_format)
    index = _open_index(index_path, create=False, fast_scoring=_numpy_pays(query_text, batch_file))
    failed = False
    options: dict[str, Any] = dict(plain_text=plain, since=since, until=until, sort=sort, copies=copies)
    options.update(whole)
    with index, _stdout_closed_early(), _Answers(output_format, batch_file is not None,
                                                 _use_color(color), marks) as answer:
        for qid, text, problem in queries:
            if problem is not None or text is None:
                failed = True
                click.echo(f"searchkit: error: {_visible(problem or '')}", err=True)
                continue
            try:
                answer(index, qid, text, limit, per_article, options)
            except IndexDamaged as error:
                raise CliError(str(error)) from None  # the next queries would fail alike
            except SearchkitError as error:
                failed = True
                where = f"query {qid}: " if batch_file is not None else ""
                click.echo(f"searchkit: error: {_visible(where + str(error))}", err=True)
    if failed:
        sys.exit(1)


@contextmanager
def _stdout_closed_early() -> Iterator[None]:
    """A reader that stops reading (``| head``) ends the command quietly, with
    status 1, rather than with a traceback."""
    try:
        yield
    except BrokenPipeError:
        # Python flushes stdout at exit: onto nothing, so that it cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


def _queries(query_text: str | None, batch_file: BinaryIO | None, output_format: str
             ) -> Iterator[tuple[str, str | None, str | None]]:
    """(query id, text, problem) of each query to run: the one given, or those of the batch."""
    if batch_file is None:
        return iter([("1", query_text or "", None)])
    if output_format == "json":
        raise click.UsageError("--batch writes one result per query: use --format jsonl, csv, trec or text")
    return _read_batch(batch_file)


# What only one search's whole result holds: --explain, --facets, --timeline.
_WHOLE_RESULT = {"explain", "facets", "timeline"}


def _whole_result_options(output_format: str, limit: int | None, **asked: Any) -> dict[str, Any]:
    """The options asked of those only one search's whole result has, refused
    with the formats and the limit written as the hits are found."""
    given = {name: value for name, value in asked.items() if value}
    if given and (output_format in ("csv", "trec") or limit is None):
        where = "--limit all" if limit is None else f"--format {output_format}"
        raise click.UsageError(f"{' and '.join('--' + name for name in given)}: for text, json or jsonl "
                               f"with a number of hits, not {output_format if limit is not None else where}")
    return given


class _Answers:
    """Answers each query in ``output_format``: the text and JSON formats
    from one search's result, the others written as the hits are found."""

    def __init__(self, output_format: str, batch: bool, use_color: bool, marks: str) -> None:
        self.format, self.batch, self.use_color, self.marks = output_format, batch, use_color, marks
        self.width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
        self.csv: Any = None
        if output_format == "csv":
            import csv
            import io

            from searchkit.cli.output import CSV_COLUMNS

            # RFC 4180: "\r\n" ends each row, quotes only where needed.
            # Encoded here and written as bytes: click.echo would end rows
            # with "\r\r\n" on Windows.
            self.rows = io.StringIO()
            self.csv = csv.writer(self.rows)
            self.csv.writerow(("qid", *CSV_COLUMNS) if batch else CSV_COLUMNS)

    def __enter__(self) -> "_Answers":
        return self

    def __exit__(self, *exc: object) -> None:
        self._write_rows()

    def __call__(self, index: Any, qid: str, text: str, limit: int | None, per_article: int,
                 options: dict[str, Any]) -> None:
        from searchkit.cli.output import csv_row, jsonl_pieces, trec_lines

        batch_qid = qid if self.batch else None
        if self.format == "trec":
            for line in trec_lines(qid, index.rank_articles(text, limit=limit, **options)):
                click.echo(line)
        elif self.format == "csv":
            for hit in index.iter_hits(text, limit, per_article=per_article, **options):
                self.csv.writerow(csv_row(hit, batch_qid, self.marks))
                if self.rows.tell() > 65536:
                    self._write_rows()
            self._write_rows()
        elif self.format == "jsonl" and not _WHOLE_RESULT & options.keys():
            started = time.perf_counter()
            stream = index.iter_hits(text, limit, per_article=per_article, **options)
            for piece in jsonl_pieces(stream, batch_qid, lambda: time.perf_counter() - started):
                click.echo(piece, nl=False)
            click.echo()
        else:
            result = index.search(text, limit=limit, per_article=per_article, **options)
            _echo_result(result, self.format, batch_qid, text, self.width, self.use_color, self.marks)

    def _write_rows(self) -> None:
        # UTF-8 without a BOM: Python's csv module would read one as part of
        # the first column's name.
        if self.csv is not None and self.rows.tell():
            out = getattr(sys.stdout, "buffer", None)  # None for a stdout replaced by a script
            if out is None:
                sys.stdout.write(self.rows.getvalue())
            else:
                out.write(self.rows.getvalue().encode("utf-8", "backslashreplace"))
            (out or sys.stdout).flush()
            self.rows.seek(0)
            self.rows.truncate()


def _echo_result(result: SearchResult, output_format: str, batch_qid: str | None, text: str,
                 width: int | None, use_color: bool, marks: str) -> None:
    """``result`` in ``output_format`` (json, jsonl or text), under its query
    when ``batch_qid`` says it is one of a batch; ``width`` None when piped."""
    from searchkit.cli.output import json_text, render_json, render_notes, render_text

    if output_format == "json":
        click.echo(render_json(result))
    elif output_format == "jsonl":
        click.echo(json_text({**({"qid": batch_qid} if batch_qid is not None else {}), **result.to_dict()}))
    else:
        if batch_qid is not None:
            click.echo(f"# {_visible(batch_qid)}\t{_visible(text)}")
        if width is None:
            # Piped: only the hits on stdout, one a line; the rest for the person.
            suggestion, footer = render_notes(result)
            if suggestion:
                click.echo(suggestion, err=True)
            if result.hits:
                click.echo(render_text(result, None, use_color, marks), color=use_color)
            click.echo(footer, err=True)
        else:
            click.echo(render_text(result, width, use_color, marks), color=use_color)


def _read_batch(lines: BinaryIO) -> Iterator[tuple[str, str | None, str | None]]:
    """(qid, query, None) for each line of a batch file, or (qid, None, the
    problem) for a line that cannot be read: it is reported and the rest runs."""
    for number, raw in enumerate(lines, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
        except UnicodeDecodeError as error:
            qid = raw.partition(b"\t")[0].decode("utf-8", "backslashreplace").strip()
            yield qid, None, f"batch line {number} (query {qid}): not UTF-8 ({error.reason} at byte {error.start})"
            continue
        # Blank lines and "#" comments, as in a hand-written list of queries.
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        qid, tab, text = line.partition("\t")
        if not tab:
            yield qid, None, f"batch line {number}: expected 'qid<TAB>query'"
            continue
        yield qid.strip(), text, None


def _use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or "NO_COLOR" in os.environ:
        return False
    return sys.stdout.isatty()


@main.command()
@click.argument("article_id")
@index_option
@click.option("--query", "query_text", metavar="TEXT", help="Highlight the words of this query.")
@click.option("--format", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "json"]), help="Output format.")
@color_option
@marks_option
def show(article_id: str, index_path: str, query_text: str | None, output_format: str, color: str,
         marks: str) -> None:
    """Print the whole article ARTICLE_ID, as ingested.

    \b
    searchkit show 000_de7ecb39300f6164.txt --query "libération de Mossoul"
    """
    from searchkit.cli.output import article_json, json_text, render_article

    with _open_index(index_path, create=False) as index, _user_errors():
        article = index.get(article_id)
        if article is None:
            raise CliError(f"no article {article_id!r} in {index_path}")
        highlights = index.highlights(article, query_text) if query_text else []
    if output_format == "json":
        click.echo(json_text(article_json(article, highlights), indent=2))
        return
    use_color = _use_color(color)
    click.echo(render_article(article, highlights, use_color, marks), color=use_color)


@main.command()
@click.argument("article_id")
@index_option
@click.option("-n", "--limit", default=10, show_default=True, type=click.IntRange(min=1),
              help="Articles to show.")
@click.option("--format", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "json", "jsonl"]), help="Output format.")
@color_option
@marks_option
def similar(article_id: str, index_path: str, limit: int, output_format: str, color: str, marks: str) -> None:
    """Show the articles closest to ARTICLE_ID, best first: those sharing
    its most distinctive words, its copies left out, one passage each with
    those words marked.

    \b
    searchkit similar wikinews_44269.txt --limit 5
    """
    from searchkit.errors import ArticleNotFound

    with _open_index(index_path, create=False, fast_scoring=True) as index, _user_errors():
        try:
            result = index.similar(article_id, limit=limit)
        except ArticleNotFound:
            raise CliError(f"no article {_visible(repr(article_id))} in {_visible(index_path)}") from None
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    _echo_result(result, output_format, None, article_id, width, _use_color(color), marks)


@main.command()
@index_option
@click.option("--format", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "json"]), help="Output format.")
def stats(index_path: str, output_format: str) -> None:
    """Print what the index holds: articles, passages, terms, size, versions.

    \b
    searchkit stats --format json
    """
    from searchkit.cli.output import json_text, visible

    with _open_index(index_path, create=False) as index, _user_errors():
        figures = index.stats()
    if output_format == "json":
        click.echo(json_text(figures, indent=2))
        return
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        if name == "size_bytes":
            name, value = "size", f"{value / 1e6:.1f} MB"
        # The versions come from the index's searchkit.json: shared, it is not ours.
        click.echo(f"{name.replace('_', ' '):<{width}}  {visible(str(value)) if value is not None else '-'}")


@main.group()
def alert() -> None:
    """Saved searches that tell what is new: each keeps a query and the
    articles it has seen; `alert run` prints those it matches since its last
    run (from cron, or `searchkit watch` after each ingest).

    \b
    searchkit alert add crue '"crue de la Seine"' --since 2024-03
    searchkit alert run
    searchkit alert run crue --format json
    """


@alert.command("add")
@click.argument("name")
@click.argument("query_text", metavar="QUERY")
@index_option
@click.option("--since", metavar="DATE",
              help="Articles dated DATE or later are news to it: its first run gives them (2016, 2016-05, "
                   "2016-05-21). Without it only articles ingested from now on are.")
def alert_add(name: str, query_text: str, index_path: str, since: str | None) -> None:
    """Save QUERY under NAME. What it matches now is not news to it."""
    with _open_index(index_path, create=False) as index, _user_errors():
        saved = index.alerts.add(name, query_text, since=since)
    click.echo(f"Saved {_visible(saved.name)}: {_visible(saved.query)} "
               f"({counted(len(saved.seen), 'article')} seen already).")


@alert.command("list")
@index_option
@click.option("--format", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "json"]), help="Output format.")
def alert_list(index_path: str, output_format: str) -> None:
    """List the saved searches: name, query, last run."""
    from searchkit.cli.output import json_text

    with _open_index(index_path, create=False) as index, _user_errors():
        saved = index.alerts.list()
    if output_format == "json":
        click.echo(json_text([search.to_dict(seen=False) for search in saved], indent=2))
        return
    for search in saved:
        click.echo(f"{_visible(search.name)}\t{_visible(search.query)}\t"
                   f"last run {search.last_run or 'never'}")


@alert.command("remove")
@click.argument("name")
@index_option
def alert_remove(name: str, index_path: str) -> None:
    """Remove the saved search NAME."""
    with _open_index(index_path, create=False) as index, _user_errors():
        index.alerts.remove(name)
    click.echo(f"Removed {_visible(name)}.")


@alert.command("run")
@click.argument("name", required=False)
@index_option
@click.option("--format", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "json", "jsonl"]),
              help="text: nothing when nothing is new (for cron); json: one object; jsonl: a line per search.")
def alert_run(name: str | None, index_path: str, output_format: str) -> None:
    """Print the articles each saved search (or NAME) matches since its last
    run, a group of copies once, and record the run. Exit status 0 when all
    ran, new articles or not; 1 when a query no longer runs (the others do)."""
    from searchkit.cli.output import alert_lines, json_text

    with _open_index(index_path, create=False, fast_scoring=True) as index, _user_errors():
        runs = index.alerts.run(name)
    if output_format == "json":
        click.echo(json_text({"alerts": [run.to_dict() for run in runs]}, indent=2))
        ran = all(run.error is None for run in runs)
    elif output_format == "jsonl":
        for run in runs:
            click.echo(json_text(run.to_dict()))
        ran = all(run.error is None for run in runs)
    else:
        ran = _echo_runs(runs, alert_lines)
    for run in runs:
        if run.error is not None and output_format != "text":
            click.echo(f"searchkit: error: saved search {_visible(run.name)}: {_visible(run.error)}", err=True)
    if not ran:
        sys.exit(1)


@main.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any other than this machine's lets the network read the index.")
@click.option("--port", default=8700, show_default=True, type=click.IntRange(min=1, max=65535))
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the web browser.")
def serve(index_path: str, host: str, port: int, open_browser: bool) -> None:
    """Serve a search page and a JSON API (/api/search, /api/articles/ID,
    /api/stats) on this machine, read-only. Needs the serve extra.

    \b
    searchkit serve --open
    curl 'http://127.0.0.1:8700/api/search?q=Mossoul'
    """
    try:
        from searchkit.serve.server import serve as run_server
    except ModuleNotFoundError as error:
        if (error.name or "").startswith("searchkit"):
            raise
        missing = (error.name or "").split(".")[0]
        raise CliError(f"searchkit serve needs {missing}: pip install '.[serve]' in searchkit's folder") from None
    with _user_errors():
        try:
            run_server(index_path, host, port, open_browser, lambda line: click.echo(line, err=True))
        except OSError as error:
            raise CliError(str(error)) from None


@main.command()
@index_option
def check(index_path: str) -> None:
    """Check the index: every file read whole against its checksum, every
    segment readable, its counts in agreement, and the files it was built from
    still as they were ingested. Exit status 1 on a problem; new files under
    the ingested paths are only noted.

    \b
    searchkit check
    """
    from searchkit.backends import is_cluster_address
    from searchkit.index import check_index

    with _user_errors():
        report, articles = check_index(index_path)
    for line in report.damaged:
        click.echo(f"searchkit: damaged: {_visible(line)}", err=True)
    for line in report.problems:
        click.echo(f"searchkit: problem: {_visible(line)}", err=True)
    for line in report.notes:
        click.echo(f"searchkit: note: {_visible(line)}")
    found = counted(len(report.damaged) + len(report.problems), "problem")
    if report.damaged and is_cluster_address(index_path):
        click.echo(f"{found} in {_visible(index_path)}: the cluster answers again once its nodes are back "
                   "(`searchkit stats` tells its health)", err=True)
        sys.exit(1)
    if report.damaged:
        click.echo(f"{found} in {_visible(index_path)}, which is damaged: "
                   f"`searchkit ingest --rebuild --index {index_path}` builds it anew from its sources", err=True)
        sys.exit(1)
    assert articles is not None  # counted wherever the index opens, so wherever it is not damaged
    if report.problems:
        # Reading a changed file again is enough; only a vanished one needs --prune.
        advice = "`searchkit ingest PATH --prune` brings it in step" \
            if any("vanished" in problem for problem in report.problems) \
            else "`searchkit ingest PATH` reads the changed files again"
        click.echo(f"{found} in {_visible(index_path)} ({counted(articles, 'article')}): {advice}", err=True)
        sys.exit(1)
    click.echo(f"OK: {_visible(index_path)} opens and holds {counted(articles, 'article')}, in step with their files.")
