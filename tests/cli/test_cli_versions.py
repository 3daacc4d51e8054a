"""`rsconnect content versions | activate | remove-version` against the local server: publish twice,
list, roll back (the content URL serves the first version again), remove a version."""

import json
import re
import uuid

import nbformat

from tests.cli.test_cli_publish import cli, ok, one_sentence_failure


def write(path, heading):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# %s" % heading)]
    nbformat.write(nb, str(path))


def listed(output):
    """(version, live) of each row of `content versions`."""
    return [(m.group(2), m.group(1) == "*") for m in re.finditer(r"^([* ]) (\d+) ", output, re.M)]


def test_versions_rollback_and_remove(local_server, tmp_path):
    key = local_server.add_user("rolf" + uuid.uuid4().hex[:6], "publisher")
    target = ["-s", local_server.url, "-k", key]
    path = tmp_path / "report.ipynb"
    write(path, "First version")
    url = ok(cli("deploy", "notebook", "--static", "-q", path, *target)).stdout.strip()
    write(path, "Second version")
    assert ok(cli("deploy", "notebook", "--static", "-q", path, *target)).stdout.strip() == url
    assert "Second version" in local_server.get(url, key=key, timeout=30).text

    out = ok(cli("content", "versions", path, *target)).stdout
    rows = listed(out)
    assert [live for _, live in rows] == [True, False]  # newest first, and it is the live one
    (second, _), (first, _) = rows
    assert int(second) > int(first)
    guid = url.rstrip("/").rsplit("/", 1)[1]
    assert guid in out

    # Roll back: the first version is live again, and served.
    result = ok(cli("content", "activate", path, first, *target))
    assert "Version %s of report is live." % first in result.stdout
    page = local_server.get(url, key=key, timeout=30).text
    assert "First version" in page and "Second version" not in page
    assert listed(ok(cli("content", "versions", guid, *target)).stdout) == [(second, False), (first, True)]

    # The live version cannot be removed; the other one can.
    refused = one_sentence_failure(cli("content", "remove-version", path, first, *target))
    assert refused == "Error: Version %s is the live one: activate another version first, then remove it." % first
    ok(cli("content", "remove-version", path, second, *target))
    assert listed(ok(cli("content", "versions", path, *target)).stdout) == [(first, True)]
    assert "First version" in local_server.get(url, key=key, timeout=30).text


def test_targets_that_name_nothing_are_refused_in_one_sentence(local_server, tmp_path):
    target = ["-s", local_server.url, "-k", local_server.api_key]
    never = tmp_path / "never.ipynb"
    write(never, "Never deployed")
    message = one_sentence_failure(cli("content", "versions", never, *target))
    assert message.startswith("Error: %s was never deployed to " % never)
    message = one_sentence_failure(cli("content", "versions", "not-a-target", *target))
    assert "neither a file deployed before, a content GUID nor a numeric content id" in message
    message = one_sentence_failure(cli("content", "activate", str(uuid.uuid4()), "1", *target))
    assert message.startswith("Error: ") and "Traceback" not in message


def test_a_draft_is_built_but_not_live_until_activated(local_server, tmp_path):
    key = local_server.add_user("dora" + uuid.uuid4().hex[:6], "publisher")
    target = ["-s", local_server.url, "-k", key]
    path = tmp_path / "report.ipynb"
    write(path, "Live version")
    url = ok(cli("deploy", "notebook", "--static", "-q", path, *target)).stdout.strip()
    write(path, "Draft version")
    out = ok(cli("deploy", "notebook", "--static", "--draft", path, *target)).stdout
    guid = url.rstrip("/").rsplit("/", 1)[1]
    rows = listed(ok(cli("content", "versions", path, *target)).stdout)
    assert [is_live for _, is_live in rows] == [False, True]  # the newest, the draft, is not live
    (draft, _), (live, _) = rows
    assert "Published a draft of report (not live yet)" in out
    assert "Make it live:  rsconnect content activate %s %s" % (guid, draft) in out
    record = list(json.loads((tmp_path / "rsconnect-python" / "report.json").read_text()).values())[0]
    assert record["draft_bundle_id"] == draft and record["draft_url"] == "%s_bundle%s/" % (url, draft)
    assert record["draft_url"] in out
    page = local_server.get(url, key=key, timeout=30).text
    assert "Live version" in page and "Draft version" not in page  # the draft is not live
    preview = local_server.get("%s_bundle%s/" % (url, draft), key=key, timeout=30)
    assert preview.status_code == 200 and "Draft version" in preview.text
    ok(cli("content", "activate", guid, draft, *target))
    assert "Draft version" in local_server.get(url, key=key, timeout=30).text
    # A live deploy afterwards forgets the draft in the record.
    ok(cli("deploy", "notebook", "--static", path, *target))
    record = list(json.loads((tmp_path / "rsconnect-python" / "report.json").read_text()).values())[0]
    assert "draft_url" not in record and live != draft
