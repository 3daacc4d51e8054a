"""Sharing while publishing (--access, --viewer, --collaborator) against the local server: applied
after the deploy, by username or e-mail address; a republish without them changes nothing; an
unknown user is one sentence, and the deploy and its record stay."""

import json
import uuid

import nbformat

from tests.cli.test_cli_publish import cli, ok, one_sentence_failure


def write(folder, heading="Shared report"):
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# %s" % heading)]
    path = folder / "report.ipynb"
    nbformat.write(nb, str(path))
    return path


def people(local_server, **roles):
    """New users of the local server: {label: (username, guid)}."""
    found = {}
    for label, role in roles.items():
        name = label + uuid.uuid4().hex[:6]
        user_key = local_server.add_user(name, role)
        found[label] = (name, local_server.api("GET", "v1/user", key=user_key).json()["guid"])
    return found


def sharing_of(local_server, key, guid):
    item = local_server.api("GET", "v1/content/%s" % guid, key=key).json()
    roles = {
        p["principal_guid"]: p["role"]
        for p in local_server.api("GET", "v1/content/%s/permissions" % guid, key=key).json()
    }
    return item["access_type"], roles


def test_access_viewers_and_collaborators_are_set_after_the_deploy(local_server, tmp_path):
    key = local_server.add_user("sally" + uuid.uuid4().hex[:6], "publisher")
    who = people(local_server, vic="viewer", cora="publisher")  # Connect: a viewer is never a collaborator
    path = write(tmp_path / "shared")
    target = ["-s", local_server.url, "-k", key]
    vic, cora = who["vic"], who["cora"]
    result = ok(
        cli(
            "deploy", "notebook", "--static", path, *target,
            "--access", "acl", "--viewer", vic[0], "--collaborator", cora[0] + "@localhost",
        )
    )  # fmt: skip
    assert "Shared with %s as a viewer." % vic[0] in result.stderr
    assert "Shared with %s@localhost as a collaborator." % cora[0] in result.stderr
    [record] = json.loads((tmp_path / "shared" / "rsconnect-python" / "report.json").read_text()).values()
    guid = record["app_guid"]
    access, roles = sharing_of(local_server, key, guid)
    assert access == "acl" and roles[vic[1]] == "viewer" and roles[cora[1]] == "owner"

    # A republish without sharing options leaves it as it is; --access alone changes only that.
    ok(cli("deploy", "notebook", "--static", path, *target))
    assert sharing_of(local_server, key, guid) == (access, roles)
    ok(cli("deploy", "notebook", "--static", path, *target, "--access", "logged_in"))
    assert sharing_of(local_server, key, guid) == ("logged_in", roles)


def test_an_unknown_user_is_one_sentence_and_the_deploy_stays(local_server, tmp_path):
    key = local_server.add_user("uma" + uuid.uuid4().hex[:6], "publisher")
    path = write(tmp_path / "unknown")
    result = cli("deploy", "notebook", "--static", "-s", local_server.url, "-k", key, path, "--viewer", "nobody-here")
    message = one_sentence_failure(result)
    [item] = local_server.api("GET", "v1/content", key=key).json()
    assert message == (
        "Error: Published to %s, but its sharing was not set (No user is called nobody-here on %s): fix the "
        "sharing options and publish again, or share it in Connect's dashboard."
        % (item["content_url"], local_server.url)
    )
    record = json.loads((tmp_path / "unknown" / "rsconnect-python" / "report.json").read_text())
    assert list(record.values())[0]["app_guid"] == item["guid"]  # the deploy is remembered
    assert local_server.api("GET", "v1/content/%s/permissions" % item["guid"], key=key).json() == []


def test_vanity_path_and_tags(local_server, tmp_path):
    key = local_server.add_user("tess" + uuid.uuid4().hex[:6], "publisher")
    team = "Finance" + uuid.uuid4().hex[:4]
    made = local_server.api("POST", "v1/tags", json={"name": team})  # administrators create tags
    assert made.status_code in (200, 201), made.text
    child = local_server.api("POST", "v1/tags", json={"name": "Quarterly", "parent_id": made.json()["id"]})
    assert child.status_code in (200, 201), child.text
    vanity = "sales-%s/q4" % uuid.uuid4().hex[:6]
    path = write(tmp_path / "vanity", heading="Q4 numbers")
    result = ok(
        cli(
            "deploy", "notebook", "--static", path, "-s", local_server.url, "-k", key,
            "--vanity", vanity, "--tag", team, "--tag", team + "/Quarterly",
        )
    )  # fmt: skip
    assert "Also at %s/%s/." % (local_server.url.rstrip("/"), vanity) in result.stderr
    [item] = local_server.api("GET", "v1/content", key=key).json()
    tags = local_server.api("GET", "v1/content/%s/tags" % item["guid"], key=key).json()
    assert sorted(t["id"] for t in tags) == sorted([made.json()["id"], child.json()["id"]])
    page = local_server.get("%s%s/" % (local_server.url, vanity), key=key, timeout=30)
    assert page.status_code == 200 and "Q4 numbers" in page.text

    # A tag that does not exist: a publisher may not create it; the deploy stays.
    message = one_sentence_failure(
        cli("deploy", "notebook", "--static", path, "-s", local_server.url, "-k", key, "--tag", "NoSuchTag")
    )
    assert message.startswith("Error: Published to %s, but its sharing was not set (" % item["content_url"])
    assert len(local_server.api("GET", "v1/content/%s/bundles" % item["guid"], key=key).json()) == 2
