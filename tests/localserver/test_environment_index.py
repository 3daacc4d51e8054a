"""uv does not read pip's configuration: the local server hands it pip's index settings, unless
the administrator configured uv itself. The server then builds from the same packages pip would."""

from rsconnect_jupyter.localconnect.environments import pip_settings, uv_index_options

PIP = {
    "index-url": "https://mirror.invalid/simple",
    "extra-index-url": "file:///srv/a file:///srv/b",
    "find-links": "/srv/wheels",
    "constraint": "/srv/constraints.txt",
    "timeout": "60",
}


def test_pips_index_settings_become_uv_options():
    args, env = uv_index_options(settings=PIP, environ={})
    assert args == [
        "--index-url",
        "https://mirror.invalid/simple",
        "--extra-index-url",
        "file:///srv/a",
        "--extra-index-url",
        "file:///srv/b",
        "--find-links",
        "/srv/wheels",
        "--constraint",
        "/srv/constraints.txt",
        # pip's rule: the best version over every index and link, as pip would install
        "--index-strategy",
        "unsafe-best-match",
    ]
    assert env == {}  # no cert setting, and nothing of pip's that is not about where packages come from


def test_a_uv_variable_wins_over_pips_setting():
    args, _ = uv_index_options(
        settings=PIP,
        environ={
            "UV_INDEX_URL": "https://other.invalid/simple",
            "UV_EXTRA_INDEX_URL": "x",
            "UV_FIND_LINKS": "y",
            "UV_INDEX_STRATEGY": "first-index",
        },
    )
    assert args == ["--constraint", "/srv/constraints.txt"]


def test_pips_certificate_bundle_reaches_uv_only_when_it_exists(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert uv_index_options(settings={"cert": str(bundle)}, environ={}) == ([], {"SSL_CERT_FILE": str(bundle)})
    assert uv_index_options(settings={"cert": str(tmp_path / "missing.pem")}, environ={}) == ([], {})
    assert uv_index_options(settings={"cert": str(bundle)}, environ={"SSL_CERT_FILE": "/x"}) == ([], {})


def test_pip_settings_follow_pips_order_files_then_sections_then_variables(monkeypatch, tmp_path):
    conf = tmp_path / "pip.conf"
    conf.write_text(
        "[global]\nextra-index-url = file:///srv/a\nindex-url = https://global.invalid/simple\n"
        "[install]\nindex-url = https://install.invalid/simple\nfind-links = /srv/from-file\n"
    )
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    monkeypatch.setenv("PIP_FIND_LINKS", "/srv/from-variable")
    settings = pip_settings.__wrapped__()  # the server reads it once per process: the uncached reader
    assert settings["extra-index-url"] == "file:///srv/a"
    assert settings["index-url"] == "https://install.invalid/simple"  # [install] wins over [global]
    assert settings["find-links"] == "/srv/from-variable"  # a PIP_* variable wins over the file
