"""Tests of localserver (a package: helpers are imported as tests.localserver....)."""
