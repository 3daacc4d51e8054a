"""A sample app that fails at import, to check that a broken deploy reports its traceback."""

raise RuntimeError("sample app broken on purpose")

app = None
