"""The hub's environment is kept between runs under a key made of the guide's install block, the
system's Python and the package's dependencies: a later run reinstalls only the checkout, and a
changed block makes a new environment in place of the old one (the real install is what
test_hub_publish.py's hub runs from; here the install and the reinstall are recorded)."""

from tests.hub import hub_servers


def test_a_later_run_reinstalls_the_checkout_and_a_changed_block_makes_a_new_environment(tmp_path, monkeypatch):
    guide = tmp_path / "jupyterhub.md"
    block = '"$HUB_ENV/bin/pip" install --quiet "jupyterhub>=5"\n'
    guide.write_text("%s\n```bash\n%s```\n" % (hub_servers.INSTALL_MARK, block))
    monkeypatch.setattr(hub_servers, "GUIDE", guide)
    monkeypatch.setattr(hub_servers, "HUB_CACHE", tmp_path / "cache")
    done = []

    def install(base):
        done.append(("install", base.name))
        (base / "env" / "bin").mkdir(parents=True)
        return base / "env"

    monkeypatch.setattr(hub_servers, "install_hub", install)
    monkeypatch.setattr(hub_servers, "reinstall_checkout", lambda env: done.append(("reinstall", env.parent.name)))

    first_key = hub_servers.hub_env_key()
    first = hub_servers.cached_hub_env()
    again = hub_servers.cached_hub_env()
    assert first == again and first.parent.name == first_key
    assert done == [("install", first_key), ("reinstall", first_key)]

    guide.write_text(guide.read_text().replace('"jupyterhub>=5"', '"jupyterhub>=5.1"'))
    second_key = hub_servers.hub_env_key()
    assert second_key != first_key
    second = hub_servers.cached_hub_env()
    assert done[-1] == ("install", second_key)
    assert second.is_dir() and not first.exists()  # the outdated environment is gone
    assert oct((tmp_path / "cache").stat().st_mode & 0o777) == "0o755"  # the hub's users read it
