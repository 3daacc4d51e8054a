"""Tests of core (a package: helpers are imported as tests.core....)."""
