"""Tests of cli (a package: helpers are imported as tests.cli....)."""
