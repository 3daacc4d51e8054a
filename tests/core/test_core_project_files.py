"""Where the packages come from (project_files.py): requirements.txt, pylock.toml, uv.lock,
pyproject.toml, then the environment snapshot; -r; the Python version constraint; the installer."""

import json
import shutil
import subprocess
import sys

import pytest

from rsconnect_jupyter import bundle, environment, project_files
from rsconnect_jupyter.exceptions import InvalidInput, SnapshotError
from rsconnect_jupyter.manifest import python_manifest
from tests.core import rsconnect_python

OLD_SIX = "1.16.0"  # not the newest release: a lock that pins it must be followed exactly

PYPROJECT = (
    """\
# a uv project
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = [
    "six==%s",  # pinned, and older than the newest
]

[tool.uv]
dev-dependencies = []
"""
    % OLD_SIX
)

PYLOCK = """\
lock-version = "1.0"
created-by = "hand"
requires-python = ">=3.9"

[[packages]]
name = "idna"
version = "3.6"
marker = 'python_version >= "3.9"'

[[packages.wheels]]
url = "https://files.example/idna-3.6-py3-none-any.whl"
hashes = {sha256 = "c05567e9c24a6b9faaa835c4821bad0590fbb9d5779e7caa6e1cc4978e7eb24f"}

[[packages]]
name = "Rsconnect_Jupyter"
version = "2.0.0"

[[packages]]
name = "mine"
directory = {path = "./mine", editable = true}
"""


def uv_lock(folder):
    """A real uv.lock for PYPROJECT, made by `uv lock` in folder."""
    from uv import find_uv_bin

    (folder / "pyproject.toml").write_text(PYPROJECT)
    proc = subprocess.run([find_uv_bin(), "lock", "--quiet"], cwd=folder, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return folder / "uv.lock"


@pytest.fixture(scope="module")
def locked_project(tmp_path_factory):
    return uv_lock(tmp_path_factory.mktemp("uvproject"))


@pytest.fixture
def project(tmp_path, locked_project):
    """A folder with all four files: requirements.txt, pylock.toml, uv.lock, pyproject.toml."""
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(locked_project.parent / "pyproject.toml", folder)
    shutil.copy(locked_project, folder)
    (folder / "pylock.toml").write_text(PYLOCK)
    (folder / "requirements.txt").write_text("click>=8\r\n# a comment\n")
    return folder


def take(folder, **kwargs):
    return environment.snapshot(sys.executable, folder, **kwargs)


def test_order_requirements_pylock_uvlock_pyproject_then_the_snapshot(project):
    first = take(project)
    assert first["requirements"] == "click>=8\r\n# a comment\n"  # as given, line endings too
    assert first["source"] == "file" and first["requirements_kind"] == "requirements.txt"
    assert project_files.describe(first) == "Packages: from requirements.txt (1 listed)."

    (project / "requirements.txt").unlink()
    second = take(project)
    assert second["requirements"] == (
        'idna==3.6; python_version >= "3.9"\n# mine: left out, installed from a local folder or file\n'
    )
    assert second["source"] == "project" and second["locked"] is True
    assert project_files.describe(second) == "Packages: from pylock.toml (1 locked)."

    (project / "pylock.toml").unlink()
    third = take(project)
    assert third["requirements"] == "six==%s\n" % OLD_SIX
    assert project_files.describe(third) == "Packages: from uv.lock (1 locked)."

    (project / "uv.lock").unlink()
    fourth = take(project)
    assert fourth["requirements"] == "six==%s\n" % OLD_SIX and fourth["locked"] is False
    assert project_files.describe(fourth) == (
        "Packages: from pyproject.toml [project] dependencies (1, not pinned: the server picks their versions)."
    )

    (project / "pyproject.toml").write_text('[project]\nname = "demo"\n\n[tool.ruff]\nline-length = 100\n')
    fifth = take(project)  # a pyproject.toml without dependencies lists no packages: the snapshot does
    assert fifth["source"] == "generated" and "click==" in fifth["requirements"].lower()
    assert project_files.describe(fifth).startswith("Packages: the ")
    assert "(no requirements.txt, pylock.toml, uv.lock or pyproject.toml dependencies" in project_files.describe(fifth)


def test_force_generate_lists_the_installed_packages_beside_every_file(project):
    forced = take(project, force_generate=True)
    assert forced["source"] == "generated" and "six==%s" % OLD_SIX not in forced["requirements"]
    assert "click==" in forced["requirements"].lower()
    assert project_files.describe(forced).endswith("(--force-generate).")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("requirements-prod.txt", "tornado>=6\n"),
        ("pylock.toml", 'idna==3.6; python_version >= "3.9"\n'),
        ("uv.lock", "six==%s\n" % OLD_SIX),
        ("pyproject.toml", "six==%s\n" % OLD_SIX),
    ],
)
def test_requirements_file_names_the_file_of_any_kind(project, name, expected):
    (project / "requirements-prod.txt").write_text("tornado>=6\n")
    result = take(project, requirements_file=str(project / name))
    assert result["requirements"].startswith(expected)
    assert result["requirements_file"] == name and result["source"] == "project"
    relative = take(project, requirements_file=name)  # relative to the content's folder too
    assert relative["requirements"] == result["requirements"]


def test_requirements_file_errors_are_one_sentence(project, tmp_path):
    with pytest.raises(InvalidInput, match=r"^The requirements file nope.txt does not exist: .*\.$"):
        take(project, requirements_file="nope.txt")
    with pytest.raises(InvalidInput, match="contradict each other"):
        take(project, requirements_file="uv.lock", force_generate=True)
    with pytest.raises(InvalidInput, match=r"has no \[project\] dependencies"):
        (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
        take(project, requirements_file=str(tmp_path / "pyproject.toml"))
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "pyproject.toml").write_text("[project\n")
    with pytest.raises(InvalidInput, match="is not valid TOML"):
        take(tmp_path / "broken")
    (tmp_path / "nolock").mkdir()
    (tmp_path / "nolock" / "uv.lock").write_text("version = 1\n")  # a lock without its pyproject.toml
    with pytest.raises(SnapshotError, match=r"^uv could not read .*: run `uv lock` in .*\.$"):
        take(tmp_path / "nolock")


def test_python_constraint_from_python_version_then_requires_python(project):
    snapshot = take(project)
    assert snapshot["python_requires"] == ">=3.10" and snapshot["python_requires_file"] == "pyproject.toml"
    manifest = python_manifest("python-api", "app:app", snapshot)
    assert manifest["environment"]["python"]["requires"] == ">=3.10"
    assert manifest["python"]["version"] == "%d.%d.%d" % sys.version_info[:3]  # the interpreter's, as before

    (project / ".python-version").write_text("3.11\n")
    snapshot = take(project)
    assert snapshot["python_requires"] == "~=3.11.0" and snapshot["python_requires_file"] == ".python-version"
    (project / ".python-version").write_text("my-pyenv-virtualenv\n")  # a name: not a version constraint
    assert take(project)["python_requires"] == ">=3.10"

    (project / "pyproject.toml").unlink()
    (project / ".python-version").unlink()
    plain = take(project)
    assert "python_requires" not in plain
    assert (
        python_manifest("python-api", "app:app", plain)["environment"]["python"]["requires"]
        == "~=%d.%d.0" % (sys.version_info[:2])
    )


# .python-version files, judged by rsconnect-python itself: the constraint its deploy takes from a
# folder holding only that file (pyproject.detect_python_version_requirement), None when it finds
# none (a file it cannot read is logged and ignored, as a name is by us).
PYTHON_VERSION_FILES = ["3.12\n", "3.12.1", "3", "pypy3.10", "my-pyenv-virtualenv\n", "# pinned\n3.9\n"]
# Where we differ from rsconnect-python on purpose: what we write, and why it is right for users.
OURS_ON_PURPOSE = {
    # pyenv and uv skip comment lines, so this project runs 3.9 on the user's machine and we ask
    # Connect for the same; rsconnect-python reads the whole file as one version, logs "Invalid
    # python version" and deploys with no constraint, so Connect may pick any Python.
    "# pinned\n3.9\n": "~=3.9.0",
}


@pytest.fixture(scope="module")
def rsconnect_python_reads(tmp_path_factory):
    """What rsconnect-python makes of each of PYTHON_VERSION_FILES (run in its own virtualenv)."""
    folder = tmp_path_factory.mktemp("python-version-files")
    for i, text in enumerate(PYTHON_VERSION_FILES):
        (folder / str(i)).mkdir()
        (folder / str(i) / ".python-version").write_text(text)
    code = (
        "import json, logging, sys; from rsconnect.pyproject import detect_python_version_requirement as d\n"
        "logging.disable(logging.CRITICAL)\n"
        "print(json.dumps([d(sys.argv[1] + '/' + str(i)) for i in range(%d)]))" % len(PYTHON_VERSION_FILES)
    )
    out = rsconnect_python.python(tmp_path_factory.mktemp("rsc-config"), code, str(folder))
    return dict(zip(PYTHON_VERSION_FILES, json.loads(out.splitlines()[-1])))


@pytest.mark.parametrize("text", PYTHON_VERSION_FILES)
def test_python_version_file_as_rsconnect_python_reads_it(text, rsconnect_python_reads):
    ours, theirs = project_files.adapt_python_version(text), rsconnect_python_reads[text]
    if text in OURS_ON_PURPOSE:
        assert (ours, theirs) == (OURS_ON_PURPOSE[text], None)  # a change on their side: look again
    else:
        assert ours == theirs


def test_a_warning_when_this_python_does_not_meet_the_constraint():
    snapshot = {"python": "3.11.7", "python_requires": ">=3.12", "python_requires_file": "pyproject.toml"}
    lines = project_files.describe_lines(snapshot)
    assert lines[0] == "Python 3.11.7; the content needs Python >=3.12 (pyproject.toml)."
    assert lines[2] == (
        "Warning: Python 3.11.7 does not meet the content's constraint >=3.12 (pyproject.toml): the server runs "
        "it with a Python that does, if it has one; to test with the same Python here, pass one that meets it "
        "with -p/--python."
    )
    assert project_files.describe_lines({"python": "3.11.7", "python_requires": "~=3.11.0"})[2:] == []
    assert project_files.describe_python({"python": "3.11.7"}) == "Python 3.11.7."


def test_source_file_names_the_file_without_reading_a_lock(project):
    assert project_files.source_file(project) == "requirements.txt"
    for name, following in [
        ("requirements.txt", "pylock.toml"),
        ("pylock.toml", "uv.lock"),
        ("uv.lock", "pyproject.toml"),
    ]:
        (project / name).unlink()
        assert project_files.source_file(project) == following
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert project_files.source_file(project) is None


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_package_installer_in_the_manifest_as_rsconnect_python_records_it(project, installer):
    snapshot = take(project, package_installer=installer)
    section = python_manifest("jupyter-static", "n.ipynb", snapshot)["python"]["package_manager"]
    assert section["name"] == installer and section["allow_uv"] is (installer == "uv")
    assert section["package_file"] == "requirements.txt"
    default = python_manifest("jupyter-static", "n.ipynb", take(project))["python"]["package_manager"]
    assert "allow_uv" not in default  # the server decides
    with pytest.raises(InvalidInput, match="must be uv or pip"):
        take(project, package_installer="conda")


def test_the_bundle_carries_the_locked_versions_and_writes_requirements_txt(project):
    for name in ("requirements.txt", "pylock.toml"):
        (project / name).unlink()
    (project / "app.py").write_text("app = None\n")
    snapshot = take(project)
    files = bundle.app_files(project, snapshot)
    assert [f.data for f in files if f.arcname == "requirements.txt"] == [("six==%s\n" % OLD_SIX).encode()]
    written = bundle.write_app_manifest(project, "python-api", "app:app", snapshot)
    assert (project / "requirements.txt").read_text() == "six==%s\n" % OLD_SIX
    manifest = json.loads(written[-1].read_text())
    assert manifest["environment"]["python"]["requires"] == ">=3.10"


def test_kernel_snapshots_are_completed_the_same_way(project):
    """The dialogs' snapshot, taken in the kernel, gets the project's packages in the core."""
    (project / "requirements.txt").unlink()
    (project / "pylock.toml").unlink()
    kernel = subprocess.run(
        [sys.executable, "-c", environment.kernel_code(project)], capture_output=True, text=True, cwd=project
    ).stdout
    completed = project_files.complete(environment.parse_snapshot(kernel), project)
    assert completed["requirements"] == "six==%s\n" % OLD_SIX and completed["requirements_file"] == "uv.lock"
    forced = subprocess.run(
        [sys.executable, "-c", environment.kernel_code(project, force_generate=True)],
        capture_output=True,
        text=True,
        cwd=project,
    ).stdout
    kept = project_files.complete(environment.parse_snapshot(forced), project)  # told to list them: kept
    assert kept["source"] == "generated" and "click==" in kept["requirements"].lower()
    assert project_files.describe(kept).endswith("(--force-generate).")


def test_a_path_dependency_of_a_uv_lock_is_left_out_and_named(tmp_path):
    from uv import find_uv_bin

    (tmp_path / "mylib").mkdir()
    (tmp_path / "mylib" / "pyproject.toml").write_text('[project]\nname = "mylib"\nversion = "0.1"\n')
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["six==%s", "mylib"]\n\n[tool.uv.sources]\nmylib = { path = "mylib" }\n' % OLD_SIX
    )
    proc = subprocess.run([find_uv_bin(), "lock", "--quiet"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = take(tmp_path)
    assert result["requirements"] == ("# ./mylib: left out, installed from a local folder or file\nsix==%s\n" % OLD_SIX)
    assert project_files.describe(result) == "Packages: from uv.lock (1 locked)."
