"""Environment snapshots for the core's tests, as environment.py's program prints them (a pip
environment whose packages were listed, not read from a file)."""


def snapshot(requirements="", python="3.11.7", pip="23.2.1", locale="en_US.UTF-8"):
    return {
        "python": python,
        "package_manager": {"name": "pip", "version": pip},
        "locale": locale,
        "requirements": requirements,
        "source": "generated",
    }
