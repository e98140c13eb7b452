"""Drawing computation graphs: DOT source (``draw``), labels and colours (``labels``), an ``nn``
model's neurons and layers as boxes (``groups``), and turning DOT into images and files (``render``)."""

from autograd.drawing.draw import GraphTooLargeError, draw_dot, save_graph
from autograd.drawing.render import GraphvizNotFoundError, RenderError

__all__ = ["GraphTooLargeError", "GraphvizNotFoundError", "RenderError", "draw_dot", "save_graph"]
