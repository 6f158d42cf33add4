"""Batch jobs: a VCF split into chunks, scored by workers, merged back in input order."""
