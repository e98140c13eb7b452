"""nn: neurons, layers and MLPs on ``autograd.Value`` — micrograd's API, fast, with the note's delta rule.

``MLP(2, [16, 16, 1])`` is micrograd's network (ReLU hidden layers, linear output, weights from
uniform(−1, 1), zero biases); each neuron's z_j = Σ_i w_ij x_i + b_j is one graph node. Around it:
losses (``half_sse``, ``mse``, ``hinge``, ``bce_with_logits``, ``l2``), optimisers (``SGD``,
``Adam``, ``LinearDecay``), ``fit``, data sets (``xor``, ``moons``, the note's example), JSON
saving and loading, a page that trains a 2-D classifier live (``playground``), and ``nn.delta``, the
same gradients from the note's formulas on plain floats.
``python -m nn`` runs the note's 2-2-1 example end to end.
"""

from nn import installcheck  # noqa: F401  (first: a mixed or foreign autograd/nn is reported here)

# isort: split
from nn import architectures, data, delta, init, losses, multiclass, optim
from nn.activations import ACTIVATIONS
from nn.architectures import load_model, register
from nn.conv import Activate, AvgPool2d, Conv2d, Flatten, MaxPool2d, ReLU
from nn.data import digits, moons, note_example, note_model, xor
from nn.layers import MLP, Layer, Neuron
from nn.losses import bce_with_logits, half_sse, hinge, l2, mse
from nn.module import Module
from nn.multiclass import accuracy, classify, cross_entropy, log_softmax, softmax
from nn.optim import SGD, Adam, Constant, ExponentialDecay, LinearDecay, Optimizer
from nn.playground import playground
from nn.sequential import Sequential
from nn.serialize import StateError
from nn.train import History, fit, grad_norms, predict

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "SGD",
    "Activate",
    "Adam",
    "AvgPool2d",
    "Constant",
    "Conv2d",
    "ExponentialDecay",
    "Flatten",
    "History",
    "Layer",
    "LinearDecay",
    "MaxPool2d",
    "Module",
    "Neuron",
    "Optimizer",
    "ReLU",
    "Sequential",
    "StateError",
    "accuracy",
    "architectures",
    "bce_with_logits",
    "classify",
    "cross_entropy",
    "data",
    "delta",
    "digits",
    "fit",
    "grad_norms",
    "half_sse",
    "hinge",
    "init",
    "l2",
    "load_model",
    "log_softmax",
    "losses",
    "moons",
    "mse",
    "multiclass",
    "note_example",
    "note_model",
    "optim",
    "playground",
    "predict",
    "register",
    "softmax",
    "xor",
]
