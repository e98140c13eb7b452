"""The main job (placeholder until nn lands): a small engine demo, the study note's neuron by hand."""

from __future__ import annotations

from autograd import Value


def main() -> None:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.8813735870195432, label="b")
    z = x1 * w1 + x2 * w2 + b
    y = z.tanh()
    y.backward()
    print(f"y = tanh(z) = {y.data:.6f}")
    for v in (x1, x2, w1, w2, b):
        print(f"  dy/d{v.label} = {v.grad:+.6f}")


if __name__ == "__main__":
    main()
