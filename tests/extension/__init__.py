"""Tests of extension (a package: helpers are imported as tests.extension....)."""
