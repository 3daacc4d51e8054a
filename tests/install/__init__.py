"""Tests of install (a package: helpers are imported as tests.install....)."""
