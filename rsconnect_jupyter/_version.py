"""The package's version, the one place it is written (pyproject.toml reads it). Its own module so
that the modules that send or print it need not import the package's Jupyter entry points."""

__version__ = "2.0.0.dev0"
