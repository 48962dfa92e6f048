"""Figure modules: one per chapter (precomputed grids, chart assembly, glued numbers); imports scored, never the reverse."""
