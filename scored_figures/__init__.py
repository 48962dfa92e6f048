"""The book's figures: one module per chapter (grids for bound controls, chart assembly, glued numbers).

Chapters call these from hidden cells; the code a reader sees on a page is the lesson, not the plumbing.
This package imports the toolkit, ``scored``; the toolkit never imports it.
"""
