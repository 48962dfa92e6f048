"""The figures of each chapter, one module a chapter: grids precomputed for the charts' controls, chart
assembly, and the numbers the prose glues. Pages call these from hidden cells; the toolkit students import
(`scored`) never imports this package.
"""
