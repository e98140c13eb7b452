"""nn: neurons, layers and MLPs built on ``autograd.Value`` (placeholder until the nn issue lands)."""
