"""The command line: compute an expression's value and gradients, and draw its computation graph.

    python -m autograd graph "tanh(x*w + b)" --set x=1.5 --set w=-0.5 --set b=0.1 -o graph.png
    deltagrad-graph "tanh(x*w + b)" --set x=1.5 --set w=-0.5 --set b=0.1 -o graph.png

The expression is checked against a whitelist by ``autograd.cli.expr`` (parsed with ``ast``, never
evaluated by Python). Each variable becomes a leaf labelled with its name, ``backward()`` runs,
and the value and each variable's gradient are printed. ``main`` never lets a traceback out:
bad input exits with status 2, a failure to render or write the image with status 1.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
import unicodedata
from collections.abc import Callable, Sequence
from typing import TextIO

from autograd.cli.expr import ALL_FUNCTIONS, MAX_LENGTH, ExpressionError, evaluate, parse_expression
from autograd.drawing.draw import DEFAULT_MAX_NODES, RANKDIRS, GraphTooLargeError, draw_dot
from autograd.drawing.render import (
    IMAGE_FORMATS,
    SOURCE_FORMATS,
    GraphvizNotFoundError,
    RenderError,
    resolve_format,
    write_image,
)
from autograd.engine import Value
from autograd.errors import DeltagradError
from autograd.explain.viewer import StepThrough, step_through
from autograd.playground import GraphTooLargeForPageError, playground

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

_EPILOG = f"""\
the expression:
  numbers, variables, + - * / ** (power), unary -, parentheses, and the functions
  {", ".join(ALL_FUNCTIONS)} (leaky_relu(x) or leaky_relu(x, slope)).
  Nothing else is accepted (no attribute access, other calls, strings, ...); at most
  {MAX_LENGTH} characters. An expression starting with '-' can be given as is ("-x*2",
  "-omega*2", "-h*x", "--x"); only a bare "-h" or "-o" is the option (write "-(h)").

output:
  Prints the value and the gradient of the expression with respect to each variable.
  With -o FILE it also writes the graph: .png, .svg or .pdf need Graphviz ('dot' on PATH,
  or pip install pygraphviz); .dot or .gv write the DOT source (no Graphviz needed). Without -o no file is written.
  --steps FILE.html writes a page that walks through the forward pass and every
  chain-rule step of backward() on the drawn graph (FILE.gif: an animation).
  --live FILE.html writes a live page: a slider per variable, and every value and
  gradient recomputed in the page as you move it.
  --dot prints the DOT source on stdout (the value and gradients then go to stderr).
  A --set for a variable the expression does not use is only a warning.

exit status:
  0 done; 2 bad input (expression, --set, a value outside a function's domain);
  1 the image could not be rendered or written (for example Graphviz missing).

examples:
  %(prog)s "tanh(x*w + b)" --set x=1.5 --set w=-0.5 --set b=0.1 -o graph.png
  %(prog)s "x**2 * sin(y)" --set x=3 --set y=0.5 --color-grad --order -o graph.svg
"""


class InputError(DeltagradError, ValueError):
    """Bad command-line input (a --set entry, a missing variable)."""


def _int_in(low: int, high: int | None) -> Callable[[str], int]:
    """An argparse type: an int from ``low`` to ``high`` (no upper bound if None)."""
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, got {value}" if high is not None
                                             else f"must be at least {low}, got {value}")
        return value
    return convert


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Compute an expression's value and gradients with deltagrad, and draw its computation graph.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("expression", help='the expression, e.g. "tanh(x*w + b)" (quote it for the shell)')
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="give a variable its value, e.g. --set x=1.5 (once per variable)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help=f"write the graph to FILE ({', '.join(IMAGE_FORMATS + SOURCE_FORMATS)} by its suffix)")
    parser.add_argument("--format", choices=IMAGE_FORMATS + SOURCE_FORMATS,
                        help="the output format, when FILE's suffix does not say it")
    parser.add_argument("--dot", action="store_true", help="print the DOT source on stdout")
    parser.add_argument("--rankdir", choices=RANKDIRS, default="LR", help="layout direction (default: LR)")
    parser.add_argument("--hide-grad", action="store_true", help="do not show gradients in the nodes")
    parser.add_argument("--color-grad", action="store_true",
                        help="colour nodes by gradient magnitude (log scale), with a legend")
    parser.add_argument("--order", action="store_true",
                        help="number the operations in the order backward() processes them")
    parser.add_argument("--legend", action="store_true", help="always draw a legend")
    parser.add_argument("--precision", type=_int_in(1, 17), default=4, metavar="N",
                        help="significant digits shown in the graph (default: 4)")
    parser.add_argument("--max-nodes", type=_int_in(1, None), default=DEFAULT_MAX_NODES, metavar="N",
                        help=f"refuse to draw graphs with more nodes (default: {DEFAULT_MAX_NODES})")
    parser.add_argument("--steps", metavar="FILE.html",
                        help="also write a page that steps through the forward and backward pass (.html; .gif "
                        "for an animation)")
    parser.add_argument("--live", metavar="FILE.html",
                        help="also write a live page: a slider per variable, values and gradients recomputed as it "
                        "moves")
    parser.add_argument("--title", help="caption above the graph (default: the expression; '' for none)")
    return parser


def _is_expression(token: str, known: set[str], takes_value: set[str]) -> bool:
    """Whether a token starting with '-' is the expression ("-x*2", "-omega*2", "-h*x", "--x")
    rather than one of our options ("-o", "-h", "-ograph.png", "--max-nodes=5", "--ord" for --order).

    The options themselves win: "-h" alone is help (write "-(h)" for minus h); "-o" glued to its
    value counts as the option only when the value ends in .png, .svg, .pdf, .dot or .gv.
    """
    if len(token) < 2 or token == "--" or token in known:
        return False
    if token.startswith("--"):
        name = token.split("=", 1)[0]
        return not any(option.startswith(name) for option in known if option.startswith("--"))
    short, rest = token[:2], token[2:]
    if short not in known:
        return True
    if short not in takes_value:  # "-h*x": -h takes no value, so what follows is not for it
        return True
    # "-ograph.png" (a file name with an output suffix) is -o with its value; "-omega*2" is an expression
    return not rest.lower().endswith(tuple(f".{fmt}" for fmt in IMAGE_FORMATS + SOURCE_FORMATS))


def _protect_expression(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """Let an expression start with '-' ("-x*2", "-omega*2", "-h*x", "--x"): argparse would take it
    for an option. Such a token (see ``_is_expression``; never an option's value) gets a leading
    space, which argparse reads as a positional argument and the parser strips.
    """
    takes_value = {s for a in parser._actions if a.nargs is None and a.option_strings for s in a.option_strings}
    known = {s for a in parser._actions for s in a.option_strings}
    out: list[str] = []
    for i, token in enumerate(argv):
        after_option = i > 0 and argv[i - 1] in takes_value
        if token.startswith("-") and not after_option and _is_expression(token, known, takes_value):
            token = " " + token
        out.append(token)
    return out


def parse_settings(settings: Sequence[str]) -> dict[str, float]:
    """``["x=1.5", "w=-0.5"]`` → ``{"x": 1.5, "w": -0.5}``, with a clear error for each bad entry."""
    values: dict[str, float] = {}
    for entry in settings:
        name, sep, text = entry.partition("=")
        name = unicodedata.normalize("NFKC", name.strip())  # as Python normalizes identifiers
        if not sep or not name:
            raise InputError(f"--set {entry!r}: expected NAME=VALUE, for example --set x=1.5")
        if not name.isidentifier():
            raise InputError(f"--set {entry!r}: {name!r} is not a valid variable name")
        if name in ALL_FUNCTIONS:
            raise InputError(f"--set {entry!r}: {name!r} is a function, not a variable")
        try:
            value = float(text.strip())
        except ValueError:
            raise InputError(f"--set {entry!r}: {text.strip()!r} is not a number") from None
        if not math.isfinite(value):
            raise InputError(f"--set {entry!r}: the value must be a finite number")
        if name in values:
            raise InputError(f"--set: variable {name!r} is given twice")
        values[name] = value
    return values


def _fmt(x: float) -> str:
    return f"{x:.10g}"


def _report(out: TextIO, root: Value, leaves: dict[str, Value]) -> None:
    print(f"value: {_fmt(root.data)}", file=out)
    if leaves:
        width = max(len(name) for name in leaves)
        print("gradient:", file=out)
        for name, leaf in leaves.items():
            print(f"  d/d{name:<{width}} = {_fmt(leaf.grad)}", file=out)


def _robust(stream: TextIO) -> None:
    """Print any variable name, whatever the terminal's encoding (unencodable characters escaped)."""
    if isinstance(stream, io.TextIOWrapper):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (ValueError, io.UnsupportedOperation):  # pragma: no cover - stream already in use
            pass


def _run(ns: argparse.Namespace) -> int:
    expr = parse_expression(ns.expression)
    if ns.output is not None:
        resolve_format(ns.output, ns.format)  # a bad suffix fails now, not after the computation
    if ns.steps is not None and os.path.splitext(ns.steps)[1].lower() not in (".html", ".htm", ".gif"):
        raise InputError(f"--steps {ns.steps!r}: name the file .html (the step-by-step page) or .gif")
    if ns.live is not None and os.path.splitext(ns.live)[1].lower() not in (".html", ".htm"):
        raise InputError(f"--live {ns.live!r}: name the file .html (the live page)")
    values = parse_settings(ns.settings)
    missing = [name for name in expr.variables if name not in values]
    if missing:
        hint = " ".join(f"--set {name}=NUMBER" for name in missing)
        raise InputError(f"no value for variable{'s' if len(missing) > 1 else ''} {', '.join(missing)}: add {hint}")
    for name in values:
        if name not in expr.variables:
            print(f"warning: --set {name} is not used by the expression", file=sys.stderr)
    leaves = {name: Value(values[name], label=name) for name in expr.variables}
    result = evaluate(expr, leaves)
    root = result if isinstance(result, Value) else Value(result)
    walk: StepThrough | None = None
    if ns.steps is not None:  # it runs backward() itself, and shows every step
        walk = step_through(root, title=expr.text if ns.title is None else (ns.title or None), max_nodes=ns.max_nodes,
                            rankdir=ns.rankdir, precision=ns.precision)
    else:
        root.backward()
    options = {"rankdir": ns.rankdir, "show_grad": not ns.hide_grad, "color_by_grad": ns.color_grad,
               "order": ns.order, "precision": ns.precision, "max_nodes": ns.max_nodes,
               "title": expr.text if ns.title is None else ns.title, "legend": True if ns.legend else None}
    live = None if ns.live is None else playground(root, title=expr.text if ns.title is None else (ns.title or None),
                                                   max_nodes=ns.max_nodes, rankdir=ns.rankdir, precision=ns.precision)
    graph = draw_dot(root, **options) if ns.dot or ns.output is not None else None  # size checked before output
    report = sys.stderr if ns.dot else sys.stdout
    _report(report, root, leaves)
    if walk is not None:
        print(f"wrote {walk.save(ns.steps)} ({len(walk)} frames, {len(walk.explanation)} backward steps)", file=report)
    if live is not None:
        print(f"wrote {live.save(ns.live)} (a live page: {live!r})", file=report)
    if graph is None:
        if walk is None and live is None:
            print("(no graph written: add -o graph.png, .svg, .pdf or .dot to draw it)", file=sys.stderr)
        return EXIT_OK
    if ns.dot:
        print(graph.source, end="")
    if ns.output is not None:
        print(f"wrote {write_image(graph, ns.output, ns.format)}", file=report)
    return EXIT_OK


def _default_prog() -> str:
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return "python -m autograd graph" if name in ("", "__main__.py", "-c") else f"{name}"


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    A leading ``graph`` (the command's name, as in ``python -m autograd graph EXPR``) is optional.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["graph"]:
        args = args[1:]
    parser = build_parser(prog or _default_prog())
    for stream in (sys.stdout, sys.stderr):
        _robust(stream)
    try:
        ns = parser.parse_args(_protect_expression(args, parser))
    except SystemExit as e:  # argparse has printed the usage and the error (or the help)
        return e.code if isinstance(e.code, int) else EXIT_BAD_INPUT
    try:
        return _run(ns)
    except ExpressionError as e:
        pointer = e.pointer()
        print(f"error: {e}" + ("\n" + "\n".join("  " + line for line in pointer.splitlines()) if pointer else ""),
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except (InputError, GraphTooLargeError, GraphTooLargeForPageError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except GraphvizNotFoundError as e:
        print(f"error: {e}\nhint: -o graph.dot writes the DOT source, which needs no Graphviz", file=sys.stderr)
        return EXIT_FAILED
    except (RenderError, OSError) as e:
        print(f"error: could not write the graph: {e}", file=sys.stderr)
        return EXIT_FAILED
    except ValueError as e:  # an option out of range (e.g. --precision 0) or an unknown --format suffix
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # a bug: still no traceback for the user, unless asked for
        if os.environ.get("DELTAGRAD_DEBUG"):
            raise
        print(f"error: unexpected {type(e).__name__}: {e} (set DELTAGRAD_DEBUG=1 to see the traceback, "
              "and please report it)", file=sys.stderr)
        return EXIT_FAILED
