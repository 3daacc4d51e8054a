"""Tests of reliability (a package: helpers are imported as tests.reliability....)."""
