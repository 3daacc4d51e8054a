"""The environment key decides reuse: same installs, same key; different installs, another key."""

from rsconnect_jupyter.localconnect.environments import env_key


def test_comments_and_blank_lines_do_not_change_the_key():
    plain = env_key("3.11.7", b"requests==2.31.0\nclick==8.1.7\n")
    generated = env_key("3.11.7", b"# generated at 2026-11-23T14:00:00Z\n\nrequests==2.31.0\n  click==8.1.7  \n")
    assert plain == generated


def test_a_different_package_python_or_server_package_changes_the_key():
    base = env_key("3.11.7", b"requests==2.31.0\n")
    assert env_key("3.11.7", b"requests==2.32.0\n") != base
    assert env_key("3.12.1", b"requests==2.31.0\n") != base
    assert env_key("3.11.7", b"requests==2.31.0\n", extras=("uvicorn",)) != base
