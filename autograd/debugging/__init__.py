"""Finding where a gradient goes wrong: ``detect_anomaly()`` and the walk behind gradient hooks.

* ``anomaly``: ``with detect_anomaly():`` checks every value and gradient for NaN/∞ and names the
  node and the line of your code that made it (``AnomalyError``, an ``ArithmeticError``);
* ``walk``: the observed backward pass that runs ``v.register_hook(fn)`` hooks and anomaly checks.
  ``autograd.backprop.backward`` takes it (once per call) only while a hook exists or some thread is
  in anomaly mode; it is registered there on import.
"""

from autograd import backprop
from autograd.debugging.anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled, site_of
from autograd.debugging.walk import observed_backward

backprop._observed_walk.append(observed_backward)

__all__ = ["AnomalyError", "detect_anomaly", "is_anomaly_enabled", "observed_backward", "site_of"]
