"""``python -m autograd check "EXPR" --set x=1.5 --expect "d/dx=FORMULA"``: a gradient check for class.

    python -m autograd check "tanh(x*w + b)" --set x=1.5 --set w=-0.5 --set b=0.1 \\
        --expect "d/dw = x*(1 - tanh(x*w + b)**2)"

For every variable it prints ``backward()``'s ∂y/∂v, your formula's value (``--expect``, for any
of the variables) and central differences, and a verdict per row: ``ok``; ``FAIL`` with who
disagrees (your formula or ``backward()``, refereed by central differences, as ``assert_grad``);
``kink`` at a relu/abs kink. The expression and every formula go through the same ``ast``
whitelist as the graph command (``autograd.cli.expr``): parsed, never given to ``eval``.

Exit status: 0 every row ok (or at a kink), 1 some row failed, 2 bad input.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence

from autograd.checking.diagnose import row_note
from autograd.checking.kinks import kink_excuses, kink_note, kinks_by_input
from autograd.checking.numerical import EPS, Evaluator, along, difference, error_estimate
from autograd.checking.report import FAIL, KINK, OK, close, fmt, format_table
from autograd.checking.testing import verdict
from autograd.cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, InputError, parse_settings
from autograd.cli.expr import Expression, ExpressionError, evaluate, parse_expression
from autograd.engine import Value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograd check",
        description="Check an expression's gradients: backward(), your formulas and central differences.",
        epilog='example: python -m autograd check "x**3" --set x=2 --expect "d/dx = 3*x**2"',
    )
    parser.add_argument("expression", help='the expression, e.g. "tanh(x*w + b)" (quote it for the shell)')
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="give a variable its value, e.g. --set x=1.5 (once per variable)")
    parser.add_argument("--expect", action="append", default=[], metavar="d/dNAME=FORMULA",
                        help="your derivative with respect to NAME, a formula of the variables (repeatable)")
    parser.add_argument("--atol", type=float, default=1e-10, help="absolute tolerance for your formulas (1e-10)")
    parser.add_argument("--rtol", type=float, default=1e-7, help="relative tolerance for your formulas (1e-7)")
    parser.add_argument("--eps", type=float, default=EPS, help=f"central differences' step factor ({EPS:g})")
    return parser


def parse_expectations(entries: Sequence[str], variables: Sequence[str]) -> dict[str, Expression]:
    """``["d/dw = x*2"]`` → ``{"w": <the formula, parsed>}``; each formula uses only the variables."""
    out: dict[str, Expression] = {}
    for entry in entries:
        lhs, sep, formula = entry.partition("=")
        name = lhs.strip()[3:].strip() if lhs.strip().startswith("d/d") else ""
        if not sep or not name:
            raise InputError(f"--expect {entry!r}: expected d/dNAME=FORMULA, for example --expect \"d/dx=2*x\"")
        if name not in variables:
            raise InputError(f"--expect {entry!r}: {name!r} is not a variable of the expression "
                             f"({', '.join(variables) or 'none'})")
        if name in out:
            raise InputError(f"--expect: d/d{name} is given twice")
        parsed = parse_expression(formula)
        unknown = [v for v in parsed.variables if v not in variables]
        if unknown:
            raise InputError(f"--expect {entry!r}: the formula uses {', '.join(unknown)}, which the expression "
                             "does not")
        out[name] = parsed
    return out


def _tolerances(ns: argparse.Namespace) -> None:
    for key in ("atol", "rtol", "eps"):
        value = getattr(ns, key)
        if not math.isfinite(value) or value < 0 or (key == "eps" and not 2.3e-16 <= value <= 0.1):
            raise InputError(f"--{key} {value!r}: must be a finite number >= 0" +
                             (" (eps from 2.3e-16 to 0.1)" if key == "eps" else ""))


def run(ns: argparse.Namespace) -> int:
    _tolerances(ns)
    expr = parse_expression(ns.expression)
    values = parse_settings(ns.settings)
    missing = [name for name in expr.variables if name not in values]
    if missing:
        raise InputError(f"no value for {', '.join(missing)}: add " + " ".join(f"--set {n}=NUMBER" for n in missing))
    names = list(expr.variables)
    if not names:
        raise InputError("the expression has no variables: nothing to differentiate")
    expected = parse_expectations(ns.expect, names)
    xs = [values[n] for n in names]
    leaves = [Value(x, label=n) for x, n in zip(xs, names, strict=True)]
    y = evaluate(expr, dict(zip(names, leaves, strict=True)))
    if not isinstance(y, Value):
        raise InputError("the expression does not depend on its variables")
    y.backward()
    kinks = kinks_by_input([y], leaves)

    def f(*vs: Value) -> Value:
        out = evaluate(expr, dict(zip(names, vs, strict=True)))
        return out if isinstance(out, Value) else Value(out)

    at = Evaluator(f, "check")
    fy = at(xs)[0]
    rows, failed = [], 0
    for j, (name, leaf) in enumerate(zip(names, leaves, strict=True)):
        g = along(at, xs, j, 1)[0]
        d = difference(g, xs[j], fy, ns.eps)
        a = leaf.grad
        want = expected.get(name)
        e = _number(evaluate(want, {n: Value(x) for n, x in zip(names, xs, strict=True)})) if want else None
        jump = j in kinks and not close(d.forward, d.backward, 1e-5, 1e-3)
        if e is not None:
            ok = close(a, e, ns.atol, ns.rtol)
            note = "" if ok else verdict(a, e, d, error_estimate(g, xs[j], fy, d), ns.atol, ns.rtol)
        else:
            ok = close(a, d.value, 1e-5, 1e-3)
            note = "" if ok else (row_note(d, a, 1e-5, 1e-3) or "backward() disagrees with central differences")
        crossing = ""
        if e is None and not ok and not jump:  # the step ±h crosses a kink: its one-sided slopes referee
            crossing = kink_note(f, y, leaves, j, ns.eps, 1e-5, 1e-3, jump=False)
            if crossing and not kink_excuses(a, d, lambda p, q: close(p, q, 1e-5, 1e-3), leaf, lambda: None):
                crossing = ""
        wrong_at_kink = jump and e is not None and not ok  # your formula is not the op's convention there
        status = FAIL if wrong_at_kink else KINK if jump or crossing else OK if ok else FAIL
        if wrong_at_kink and e is not None:
            note = (f"kink of {', '.join(kinks[j][:2])} (one-sided {d.backward:.6g} | {d.forward:.6g}): "
                    f"the op's convention is {fmt(a)}, not {fmt(e)}")
        elif jump:
            note = f"at the kink of {', '.join(kinks[j][:2])}: the derivative is the op's convention"
        elif crossing:
            note = f"{crossing}: backward() is the slope on its own side"
        failed += status == FAIL
        rows.append([f"d/d{name}", fmt(a), "–" if e is None else fmt(e), fmt(d.value), status, note])
    print(f"value: {y.data:.10g}")
    table = format_table(["gradient", "backward", "expected", "numerical", "status"], [r[:5] for r in rows])
    lines = table.splitlines()
    print("\n".join(lines[:2]))
    for line, r in zip(lines[2:], rows, strict=True):
        print(line + (f"\n    ↳ {r[5]}" if r[5] else ""))
    kinked = sum(1 for r in rows if r[4] == KINK)
    print(f"{failed} of {len(rows)} gradients FAILED" if failed else
          "all gradients agree" + (f" ({kinked} at kinks, where no derivative exists)" if kinked else ""))
    return EXIT_FAILED if failed else EXIT_OK


def _number(v: Value | float) -> float:
    return v.data if isinstance(v, Value) else float(v)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``check`` with ``argv`` (default ``sys.argv[2:]``, after ``check``); return the exit status."""
    args = list(sys.argv[2:] if argv is None else argv)
    try:
        ns = build_parser().parse_args(args)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else EXIT_BAD_INPUT
    try:
        return run(ns)
    except ExpressionError as e:
        pointer = e.pointer()
        print(f"error: {e}" + ("\n  " + pointer.replace("\n", "\n  ") if pointer else ""), file=sys.stderr)
        return EXIT_BAD_INPUT
    except (InputError, ValueError, ArithmeticError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
