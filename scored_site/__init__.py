"""Build plumbing for the Scored course site: the self-hosted chart bundle, the Sphinx extension
(quizzes, trimmed theme assets) and the exercise pipeline. Teaching code lives in ``scored``."""
