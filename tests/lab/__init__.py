"""Tests of lab (a package: helpers are imported as tests.lab....)."""
