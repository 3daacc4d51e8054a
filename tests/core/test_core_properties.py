"""Property-based tests (hypothesis): content names, manifests, bundles and requirements.

Each property holds for every input hypothesis can think of, not only the examples we wrote:
names always follow Connect's rules, a bundle always extracts to the bytes that went in, and
the requirements read from an environment never lose a package to a name that merely looks
like ours.
"""

import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name
from packaging.version import Version

from rsconnect_jupyter import bundle, deploy, manifest
from rsconnect_jupyter.connect import CODE_NAME_IN_USE, ConnectClient
from rsconnect_jupyter.environment import SNAPSHOT_PROGRAM, parse_snapshot
from rsconnect_jupyter.exceptions import ConnectAPIError, SnapshotError
from rsconnect_jupyter.localconnect.environments import env_key

# Connect's rule for content names (connect-api/README.md, "Names"): 3 to 64 letters, digits,
# `-` or `_` (newer servers also allow `.`, which we never produce). \Z, not $: $ allows a newline.
CONNECT_NAME = re.compile(r"[A-Za-z0-9_-]{3,64}\Z")

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

titles = st.text(min_size=0, max_size=200)

SNAPSHOT = {
    "python": "3.11.7",
    "package_manager": {"name": "pip", "version": "23.2.1"},
    "locale": "en_US.UTF-8",
    "requirements": "click==8.1.7\n",
    "source": "generated",
}


# ---------------------------------------------------------------------------------------------
# Content names


@FAST
@given(titles)
def test_name_from_any_title_follows_connects_rules(title):
    name = deploy.name_from_title(title)
    assert CONNECT_NAME.match(name), (title, name)
    assert deploy.name_from_title(title) == name  # deterministic


@FAST
@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{1,62}[A-Za-z0-9]", fullmatch=True))
def test_a_title_that_is_already_a_name_stays_that_name(title):
    assert deploy.name_from_title(title) == title


class NameTaken:
    """A server where the first `taken` names asked for were taken by another publish meanwhile."""

    def __init__(self, taken):
        self.taken, self.asked = taken, []

    def content_list(self, name=None, owner_guid=None):
        return []

    def content_create(self, name=None, title=None):
        self.asked.append(name)
        if len(self.asked) <= self.taken:
            raise ConnectAPIError("taken", status=409, code=CODE_NAME_IN_USE, error="Content name already in use.")
        return {"guid": "guid-%d" % len(self.asked), "name": name, "title": title}


# Titles whose names reach the 64-character limit, which the random suffix must still fit in.
long_titles = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 _.-]{40,120}", fullmatch=True)


@FAST
@given(st.one_of(titles, long_titles), st.integers(min_value=1, max_value=4))
def test_the_random_fallback_name_stays_within_the_rules(title, taken):
    # create_content's last resort when the unique name was taken meanwhile (a race).
    server, lines = NameTaken(taken), []
    content = deploy.create_content(server, title, {"guid": "me"}, lines.append)
    assert len(server.asked) == taken + 1 and content["name"] == server.asked[-1]
    first = deploy.name_from_title(title)
    assert server.asked[0] == first
    for name in server.asked[1:]:
        assert CONNECT_NAME.match(name), name
        assert re.fullmatch(re.escape(first[:55]) + "-[0-9a-f]{6}", name), (first, name)
    assert lines == ["Created content %s (%s)." % (content["name"], content["guid"])]


def test_a_name_taken_five_times_over_is_an_error():
    server = NameTaken(5)
    with pytest.raises(ConnectAPIError) as e:
        deploy.create_content(server, "Sales report", {"guid": "me"}, lambda line: None)
    assert e.value.code == CODE_NAME_IN_USE and len(server.asked) == 5


@pytest.fixture(scope="module")
def name_client(local_server):
    """A fresh publisher on the local server, so earlier tests' content does not matter."""
    key = local_server.add_user("names-%s" % os.urandom(4).hex())
    client = ConnectClient(local_server.url, key)
    return client, client.me()["guid"]


@SLOW
@given(
    title=st.text(min_size=3, max_size=90).filter(lambda t: len(t.strip()) >= 3),
    taken=st.integers(min_value=0, max_value=3),
)
def test_unique_names_are_free_and_accepted_by_the_server(name_client, title, taken):
    client, owner = name_client
    title = deploy.validate_title(title)  # what every publish does first
    # Take the plain name and the first suffixes, as earlier publishes of the same title would have.
    base = deploy.name_from_title(title)
    for n in range(taken):
        name = base if n == 0 else base[: 64 - len("-%d" % (n + 1))] + "-%d" % (n + 1)
        if not client.content_list(name=name, owner_guid=owner):
            client.content_create(name=name, title=title)
    existing = {c["name"] for c in client.content_list(owner_guid=owner)}
    name = deploy.unique_name(client, title, owner)
    assert CONNECT_NAME.match(name), name
    assert name not in existing
    assert name == deploy.unique_name(client, title, owner)  # nothing changed: the same answer
    # The real server agrees that the name is valid and free.
    created = client.content_create(name=name, title=title)
    assert created["name"] == name


class RacedClient:
    """The real client, except that another publish of the same title creates the content's name
    on the real server just after this publish listed the names it has (the race of two publishes)."""

    def __init__(self, client, owner):
        self.client, self.owner = client, owner

    def content_list(self, name=None, owner_guid=None):
        listed = self.client.content_list(name=name, owner_guid=owner_guid)
        taken = {c["name"] for c in listed}
        self.other = self.client.content_create(
            name=deploy.unique_name(self.client, self.title, self.owner), title=self.title
        )
        assert self.other["name"] not in taken
        return listed

    def content_create(self, name=None, title=None):
        self.created.append(name)
        return self.client.content_create(name=name, title=title)


@pytest.mark.parametrize("earlier", [0, 2])
def test_a_name_taken_by_another_publish_meanwhile_is_retried_on_the_real_server(name_client, earlier):
    client, owner = name_client
    title = "Race %s" % os.urandom(4).hex()
    for _ in range(earlier):  # earlier publishes of the title: the unique name has a suffix
        deploy.create_content(client, title, {"guid": owner}, lambda line: None)
    raced = RacedClient(client, owner)
    raced.title, raced.created, lines = title, [], []
    content = deploy.create_content(raced, title, {"guid": owner}, lines.append)
    # The first create asked for the name the other publish had just taken: the server said 409
    # (name in use) and create_content asked again with a random suffix, which the server took.
    assert raced.created[0] == raced.other["name"]
    assert len(raced.created) == 2 and content["name"] == raced.created[1]
    assert re.fullmatch(re.escape(deploy.name_from_title(title)[:55]) + "-[0-9a-f]{6}", content["name"])
    assert lines == ["Created content %s (%s)." % (content["name"], content["guid"])]
    mine = {c["guid"]: c["name"] for c in client.content_list(owner_guid=owner) if c["title"] == title}
    assert len(mine) == earlier + 2
    assert mine[content["guid"]] == content["name"] and mine[raced.other["guid"]] == raced.other["name"]


def test_other_refusals_are_not_retried(name_client):
    client, owner = name_client
    raced = RacedClient(client, owner)
    raced.created = []
    raced.content_list = client.content_list  # no race here
    with pytest.raises(ConnectAPIError) as e:
        deploy.create_content(raced, "ab", {"guid": owner}, lambda line: None)  # too short a title
    assert e.value.code != CODE_NAME_IN_USE and raced.created == ["ab_content"]


env_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)


@FAST
@given(st.one_of(st.text(max_size=12), env_names, env_names.map(lambda n: n + "\n")))
def test_environment_variable_names_are_checked_whole(name):
    # The notebook's publish dialog and the CLI accept the same names: letters, digits, _.
    from rsconnect_jupyter.exceptions import InvalidInput
    from rsconnect_jupyter.jupyter import actions

    valid = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) is not None
    try:
        actions.check_environment_names({name: "s3cr3t-val"})
        accepted = True
    except InvalidInput as e:  # the core's rule (target.check_environment_name), as for -E
        accepted = False
        assert "s3cr3t-val" not in str(e)  # the message names the variable, never its value
    assert accepted == valid, repr(name)
    if valid:
        assert deploy.environment_values(["%s=v" % name]) == {name: "v"}


# ---------------------------------------------------------------------------------------------
# Manifests and bundles

# One path component: anything a file system takes, but not "." or ".." (never in a bundle).
component = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\"),
    min_size=1,
    max_size=20,
).filter(lambda s: s not in (".", "..") and len(s.encode("utf-8")) <= 60)
relative_paths = st.lists(component, min_size=1, max_size=3).map("/".join).filter(lambda p: p != "manifest.json")


def file_trees(max_files=8, max_size=2000):
    """{relative path: bytes}, with no path that is also a folder of another."""

    def consistent(tree):
        folders = {"/".join(p.split("/")[:i]) for p in tree for i in range(1, p.count("/") + 1)}
        return not folders & set(tree)

    return st.dictionaries(relative_paths, st.binary(max_size=max_size), max_size=max_files).filter(consistent)


def write_tree(folder, tree):
    files = []
    for rel, data in tree.items():
        path = Path(folder, *rel.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files.append(bundle.BundleFile(rel, path=path))
    return files


def read_bundle(path):
    """(member names in order, {name: bytes}) of a built bundle, read by Python's tarfile."""
    with tarfile.open(path, "r:gz") as tar:
        members = tar.getmembers()
        contents = {m.name: tar.extractfile(m).read() for m in members if m.isfile()}
        return [m.name for m in members], contents


def check_bundle(built, tree, manifest_in):
    names, contents = read_bundle(built.path)
    assert names[0] == "manifest.json"
    assert names[1:] == list(tree)  # every file once, in the order given
    assert {n: contents[n] for n in tree} == tree  # the same bytes
    written = json.loads(contents["manifest.json"].decode("utf-8"))
    assert written == built.manifest
    assert set(written["files"]) == set(tree)  # exactly the files, no more
    for rel, data in tree.items():
        assert written["files"][rel]["checksum"] == hashlib.md5(data).hexdigest()
    # Everything else of the manifest went in unchanged.
    assert {k: v for k, v in written.items() if k != "files"} == {k: v for k, v in manifest_in.items() if k != "files"}
    return written


@FAST
@given(tree=file_trees(), entrypoint=component)
def test_notebook_bundle_of_any_file_tree(tree, entrypoint):
    m = manifest.notebook_manifest(entrypoint, SNAPSHOT)
    with tempfile.TemporaryDirectory() as folder:
        files = write_tree(folder, tree)
        with bundle.write_bundle(m, files) as built:
            written = check_bundle(built, tree, m)
    assert written["metadata"] == {"appmode": "jupyter-static", "entrypoint": entrypoint}
    assert written["python"]["package_manager"]["package_file"] == "requirements.txt"


@FAST
@given(tree=file_trees(), primary=component, in_memory=st.booleans())
def test_static_bundle_of_any_file_tree(tree, primary, in_memory):
    m = manifest.static_manifest(primary)
    with tempfile.TemporaryDirectory() as folder:
        files = (
            [bundle.BundleFile(rel, data=data) for rel, data in tree.items()] if in_memory else write_tree(folder, tree)
        )
        with bundle.write_bundle(m, files) as built:
            written = check_bundle(built, tree, m)
            path = built.path
        assert not path.exists()  # the temporary archive goes away with the bundle
    assert written["metadata"]["primary_html"] == primary == written["metadata"]["entrypoint"]


@SLOW
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=(1 << 20) + 70000), min_size=1, max_size=4),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_files_larger_than_one_compression_block_come_back_intact(sizes, seed):
    # 1 MiB blocks are compressed on several threads: bytes across block edges must survive.
    rng = random.Random(seed)
    tree = {"data/part-%d.bin" % i: rng.randbytes(size) if i % 2 else bytes(size) for i, size in enumerate(sizes)}
    m = manifest.python_manifest("python-fastapi", "app:app", SNAPSHOT)
    with tempfile.TemporaryDirectory() as folder:
        with bundle.write_bundle(m, write_tree(folder, tree)) as built:
            check_bundle(built, tree, m)


@settings(max_examples=5, deadline=None)
@given(count=st.integers(min_value=900, max_value=1600))
def test_a_manifest_longer_than_one_stored_block_is_still_first_and_whole(count):
    # manifest.json goes into a gap of stored deflate blocks of 64 KiB at most: cross that edge.
    tree = {"f/%05d-%s.txt" % (i, "x" * 20): b"" for i in range(count)}
    m = manifest.static_manifest("index.html")
    with bundle.write_bundle(m, [bundle.BundleFile(rel, data=data) for rel, data in tree.items()]) as built:
        check_bundle(built, tree, m)
        with tarfile.open(built.path, "r:gz") as tar:
            assert tar.getmember("manifest.json").size > 0xFFFF


@FAST
@given(tree=file_trees(max_files=5, max_size=200), executable=st.sets(st.integers(min_value=0, max_value=4)))
def test_executable_files_stay_executable(tree, executable):
    with tempfile.TemporaryDirectory() as folder:
        files = write_tree(folder, tree)
        for i, f in enumerate(files):
            os.chmod(f.path, 0o755 if i in executable else 0o644)
        with bundle.write_bundle(manifest.static_manifest("index.html"), files) as built:
            with tarfile.open(built.path, "r:gz") as tar:
                modes = {m.name: m.mode for m in tar.getmembers()}
    for i, f in enumerate(files):
        assert modes[f.arcname] == (0o755 if i in executable else 0o644)


# ---------------------------------------------------------------------------------------------
# Requirements


requirement_lines = st.from_regex(r"[A-Za-z][A-Za-z0-9._-]{0,20}(==[0-9]{1,3}(\.[0-9]{1,3}){0,2})?", fullmatch=True)
LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # every character str.splitlines() splits at
comment_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=LINE_BREAKS), max_size=30
)
comment_lines = st.one_of(st.just(""), st.just("   "), comment_text.map(lambda s: "#" + s))


@FAST
@given(
    lines=st.lists(requirement_lines, max_size=10),
    noise=st.lists(comment_lines, max_size=10),
    seed=st.integers(min_value=0, max_value=1000),
    python=st.sampled_from(["3.11.7", "3.12.1"]),
)
def test_environment_key_ignores_comments_and_blank_lines(lines, noise, seed, python):
    plain = "".join(line + "\n" for line in lines).encode()
    # The same requirements with comments and blank lines spread among them, and stray spaces.
    mixed = ["  %s  " % line for line in lines]
    rng = random.Random(seed)
    for extra in noise:
        mixed.insert(rng.randint(0, len(mixed)), extra)
    key = env_key(python, plain)
    assert env_key(python, "\n".join(mixed).encode()) == key
    assert env_key(python, "\r\n".join(mixed).encode()) == key
    assert re.fullmatch(r"py%s-[0-9a-f]{20}" % re.escape(python), key)  # a safe folder name


@FAST
@given(lines=st.lists(requirement_lines, min_size=1, max_size=6, unique=True), extra=requirement_lines)
def test_environment_key_changes_when_a_package_line_changes(lines, extra):
    assume(extra not in lines)
    text = "".join(line + "\n" for line in lines)
    assert env_key("3.11.7", text.encode()) != env_key("3.11.7", (text + extra + "\n").encode())
    assert env_key("3.11.7", text.encode()) != env_key("3.12.1", text.encode())


snapshots = st.fixed_dictionaries(
    {
        "python": st.from_regex(r"3\.(9|1[0-3])\.[0-9]{1,2}", fullmatch=True),
        "package_manager": st.fixed_dictionaries(
            {"name": st.sampled_from(["pip", "uv", "none"]), "version": st.one_of(st.none(), st.text(max_size=8))}
        ),
        "locale": st.text(max_size=20),
        "requirements": st.text(max_size=300),
        "source": st.sampled_from(["file", "generated"]),
    }
)
# What a kernel may print before the snapshot (a user's startup code, warnings).
printed = st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40), max_size=4)


@FAST
@given(snapshot=snapshots, before=printed)
def test_a_snapshot_round_trips_through_what_the_kernel_prints(snapshot, before):
    text = "\n".join(before) + "\n" + json.dumps(snapshot) + "\n"
    assert parse_snapshot(text) == snapshot


@FAST
@given(before=printed)
def test_printed_text_without_a_snapshot_is_one_clear_error(before):
    assume(not any(line.strip().startswith("{") for chunk in before for line in chunk.splitlines()))
    with pytest.raises(SnapshotError) as e:
        parse_snapshot("\n".join(before))
    assert "Python 3.9 or newer" in str(e.value)


OWN = "rsconnect-jupyter"
# Names pip freeze treats as its own (which of them it leaves out is pip's to say, below).
PIPS_OWN = ["pip", "setuptools", "wheel", "distribute"]
# Names that look like ours or like pip's but are other packages; and spellings of ours.
LOOKALIKES = [
    "rsconnect-jupyter-extra",
    "rsconnect_jupyter_tools",
    "my-rsconnect-jupyter",
    "rsconnect",
    "jupyter",
    "rsconnect-python",
    "pipx",
    "pip-tools",
    "setuptools-scm",
    "wheel-filename",
]
OUR_SPELLINGS = ["rsconnect-jupyter", "rsconnect_jupyter", "RSConnect.Jupyter", "rsconnect__jupyter"]
package_names = st.one_of(
    st.sampled_from(LOOKALIKES + OUR_SPELLINGS + PIPS_OWN),
    st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,8}([-_.][A-Za-z0-9]{1,8}){0,2}", fullmatch=True),
)
versions = st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,2}", fullmatch=True)


def generated_requirements(site):
    """The snapshot program's generated list for a folder of installed distributions, run for real
    in a Python that sees only that folder (-S: no site-packages, -I would drop PYTHONPATH)."""
    env = dict(os.environ, PYTHONPATH=site)
    proc = subprocess.run(
        [sys.executable, "-S", "-c", SNAPSHOT_PROGRAM, "", "1"], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return parse_snapshot(proc.stdout)["requirements"]


def pip_freeze(site):
    """pip's own `pip freeze` of the folder (this Python's pip): the oracle for the generated list."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--path", site], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def requirements(text):
    """(name, version) of each `name==version` line, the version compared as PEP 440 does."""
    found = []
    for line in text.splitlines():
        name, sep, version = line.partition("==")
        assert sep, line
        found.append((name, Version(version)))
    return found


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(package_names, versions, max_size=8).filter(
        lambda d: len({canonicalize_name(n) for n in d}) == len(d)
    )
)
def test_generated_requirements_are_pip_freeze_less_this_package(installed):
    """What pip freeze lists, less this package, sorted by the canonical name (packaging's). Two
    differences from pip's text, neither changing what gets installed: pip prints versions
    normalized ("01.2" as "1.2"; ours are as the package wrote them) and sorts by the lowercased
    name ("a-c" before "a_b")."""
    with tempfile.TemporaryDirectory() as site:
        for name, version in installed.items():
            info = Path(site, "%s-%s.dist-info" % (re.sub(r"[-.]+", "_", name), version))
            info.mkdir()
            (info / "METADATA").write_text(
                "Metadata-Version: 2.1\nName: %s\nVersion: %s\n\nA package.\n" % (name, version)
            )
        text = generated_requirements(site)
        frozen = requirements(pip_freeze(site))
    expected = sorted(
        ((name, version) for name, version in frozen if canonicalize_name(name) != OWN),
        key=lambda pair: canonicalize_name(pair[0]),
    )
    assert requirements(text) == expected
    assert text == "".join("%s==%s\n" % (n, installed[n]) for n, _ in expected)  # versions as written
    for name in installed:
        if OWN in canonicalize_name(name) and canonicalize_name(name) != OWN:
            assert "%s==" % name in text  # merely contains our name: kept
