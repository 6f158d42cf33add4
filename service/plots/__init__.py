"""Pictures drawn with matplotlib (Agg): mutagenesis maps and one variant's effects."""
