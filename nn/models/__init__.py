"""Building models: ``Module`` (parameters, ``state_dict``, ``__call__`` → ``forward``), ``Neuron``, ``Layer``,
``MLP``, convolutions and pooling, ``Sequential``, the activations and the weight initialisers.

Each neuron's z_j = Σ_i w_ij x_i + b_j is one graph node and y_j = f(z_j) another. The public names are
``nn.X`` (``nn.MLP``, ``nn.Conv2d``, ...); these modules are where they are written.
"""
