"""Data preparation from registry packages: sources, labels, training samples."""
