"""Result writers, one module per format; the same content in each (``formats`` picks one)."""
