"""nn: neurons, layers and MLPs on ``autograd.Value`` — micrograd's API, fast, with the note's delta rule.

``MLP(2, [16, 16, 1])`` is micrograd's network (ReLU hidden layers, linear output, weights from
uniform(−1, 1), zero biases); each neuron's z_j = Σ_i w_ij x_i + b_j is one graph node. Around it:
losses (``half_sse``, ``mse``, ``hinge``, ``bce_with_logits``, ``l2``), optimisers (``SGD``,
``Adam``, ``LinearDecay``), ``fit``, data sets (``xor``, ``moons``, the note's example), JSON
saving and loading, a page that trains a 2-D classifier live (``playground``), ``nn.delta``, the same
gradients from the note's formulas on plain floats, and ``nn.export`` (``to_torch``, ``from_torch``,
``to_onnx``) for carrying a network on in PyTorch or onnxruntime.
``python -m nn`` runs the note's 2-2-1 example end to end.
"""

from nn import installcheck  # noqa: F401  (first: a mixed or foreign autograd/nn is reported here)

# isort: split
from nn import architectures, data, delta, losses, optim, plots
from nn.architectures import load_model, register
from nn.data import digits, moons, note_example, note_model, xor
from nn.export import from_torch, to_onnx, to_torch
from nn.losses import bce_with_logits, half_sse, hinge, l2, mse, multiclass
from nn.losses.multiclass import cross_entropy, log_softmax, softmax
from nn.models import init
from nn.models.activations import ACTIVATIONS, Activate, Identity, LeakyReLU, ReLU, Sigmoid, Softplus, Tanh
from nn.models.conv import AvgPool2d, Conv2d, Flatten, MaxPool2d
from nn.models.layers import MLP, Layer, Neuron
from nn.models.module import Module
from nn.models.sequential import Sequential
from nn.optim import SGD, Adam, Constant, ExponentialDecay, LinearDecay, Optimizer
from nn.playground import playground
from nn.serialize import StateError
from nn.train import History, accuracy, classify, fit, grad_norms, predict

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
    "Identity",
    "Layer",
    "LeakyReLU",
    "LinearDecay",
    "MaxPool2d",
    "Module",
    "Neuron",
    "Optimizer",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softplus",
    "StateError",
    "Tanh",
    "accuracy",
    "architectures",
    "bce_with_logits",
    "classify",
    "cross_entropy",
    "data",
    "delta",
    "digits",
    "fit",
    "from_torch",
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
    "plots",
    "predict",
    "register",
    "softmax",
    "to_onnx",
    "to_torch",
    "xor",
]
