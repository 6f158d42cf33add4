"""Training of LOGO models in PyTorch: data preparation, the model, training loops."""
