"""`rsconnect deploy quarto` against Connect's recorded responses, a Connect with Quarto 1.4.550
(fixture publisher/server-settings-quarto.json): the check passes, and the source bundle goes up
with the manifest rsconnect-python 1.32 writes. (The local server, with no Quarto, refuses before
anything is sent: tests/cli/test_cli_quarto.py.)"""

import gzip
import io
import json
import tarfile

from tests.core.fixture_server import PUB_GUID
from tests.core.test_core_cli import home, paths, run  # noqa: F401 (home is a fixture)


def test_deploy_quarto_to_a_connect_with_quarto_uploads_the_source(fixture_server, home, tmp_path):  # noqa: F811
    doc = tmp_path / "report"
    doc.mkdir()
    (doc / "report.qmd").write_text("---\ntitle: Sales\n---\n\n```{python}\nprint(42)\n```\n")
    (doc / "requirements.txt").write_text("pandas\n")
    (doc / "report.html").write_text("a local render: not sent")
    result = run(["deploy", "quarto", "-s", fixture_server.url, "-k", "good", "-q", str(doc / "report.qmd")], home)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "https://connect.example.com/content/%s/\n" % PUB_GUID
    steps = paths(fixture_server)
    # Asked before anything was created, then created, uploaded and deployed.
    assert steps.index(("GET", "v1/server_settings/quarto")) < steps.index(("POST", "v1/content"))
    assert steps.index(("POST", "v1/content")) < steps.index(("POST", "v1/content/%s/bundles" % PUB_GUID))
    upload = next(r for r in fixture_server.requests if r["path"].endswith("/bundles") and r["method"] == "POST")
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(upload["body"])), mode="r:") as tar:
        names = sorted(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names == ["manifest.json", "report.qmd", "requirements.txt"]
    assert manifest["metadata"] == {"appmode": "quarto-static"}
    assert manifest["quarto"] == {"version": "99.9.9", "engines": ["jupyter"]}  # no Quarto here: from the file
    assert manifest["python"]["package_manager"]["package_file"] == "requirements.txt"
    assert set(manifest["files"]) == {"report.qmd", "requirements.txt"}
    record = json.loads((doc / "rsconnect-python" / "report.json").read_text())
    assert record[fixture_server.url]["app_mode"] == "quarto-static"
