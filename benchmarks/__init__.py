"""Issue 6: benchmarks against rsconnect-python (not part of the test suite)."""
