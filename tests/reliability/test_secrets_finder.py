"""The finder the secrets tests rely on: it sees a secret in every form a page, a JSON answer, a URL,
a header or an archive may carry it, and sees nothing where the secret is not.

A finder that misses a form makes every "no leak" check pass for that form, so each form here is
one the real pages and answers use (html.escape, tornado's and Jinja's escaping, json.dumps,
urlencode, an Authorization: Basic header, a .tar.gz).
"""

import base64
import gzip
import html
import io
import json
import re
import tarfile
import zipfile
from urllib.parse import quote, urlencode

import markupsafe
import pytest
import tornado.escape

from tests.reliability.secrets_helpers import Secrets, scan_folder

# The same characters as the secrets tests' value, and every one HTML escapes.
VALUE = "s3cr3t-VALUE-0123abcd +&/=%<>\"'"
OTHER = "s3cr3t-VALUE-9999ffff +&/=%"


@pytest.fixture
def secrets():
    return Secrets(env_value=VALUE)


def page(body):
    return "<!DOCTYPE html><html><body><pre>%s</pre></body></html>" % body


WRAPPED = {
    "plain": VALUE,
    "html.escape": page(html.escape(VALUE)),
    "html.escape, quotes left": page(html.escape(VALUE, quote=False)),
    "tornado xhtml_escape": page(tornado.escape.xhtml_escape(VALUE)),
    "Jinja (markupsafe)": page(str(markupsafe.escape(VALUE))),
    "numeric entities": page("".join("&#%d;" % ord(c) if c in "&<>\"'" else c for c in VALUE)),
    "JSON answer": json.dumps({"env": [{"name": "A", "value": VALUE}]}),
    "JSON, / escaped": json.dumps({"value": VALUE}).replace("/", "\\/"),
    "JSON in a page": page(html.escape(json.dumps({"value": VALUE}))),
    "query string": "/content?" + urlencode({"x": "1", "value": VALUE}),
    "URL path, lower-case escapes": "/v/" + re.sub("%[0-9A-F]{2}", lambda m: m[0].lower(), quote(VALUE, safe="")),
}


@pytest.mark.parametrize("form", sorted(WRAPPED))
def test_the_secret_is_found_in_each_form(secrets, form):
    assert secrets.find(WRAPPED[form]) == ["env_value"], WRAPPED[form]
    assert secrets.find(WRAPPED[form].encode("utf-8")) == ["env_value"]


@pytest.mark.parametrize("prefix", [b"", b"u", b"us", b"user:"])
def test_the_secret_is_found_inside_base64_at_any_alignment(secrets, prefix):
    header = "Authorization: Basic " + base64.b64encode(prefix + VALUE.encode() + b":x").decode()
    assert secrets.find(header) == ["env_value"], header
    blob = base64.urlsafe_b64encode(prefix + VALUE.encode())
    assert secrets.find(blob) == ["env_value"], blob


def test_other_values_and_parts_of_the_secret_are_not_found(secrets):
    assert secrets.find(json.dumps({"value": OTHER})) == []
    assert secrets.find(page(html.escape(VALUE[:-3]))) == []  # a prefix is not the secret
    assert secrets.find(VALUE[:10] + " " + VALUE[10:]) == []  # nor the secret split in two
    assert secrets.find(b"") == []


def test_several_secrets_are_named(secrets):
    both = Secrets(env_value=VALUE, api_key="k3y-0123456789abcdef")
    assert both.find(page(html.escape(VALUE)) + "k3y-0123456789abcdef") == ["api_key", "env_value"]
    assert both.find("k3y-0123456789abcdef") == ["api_key"]


def test_a_folder_is_searched_inside_its_archives(secrets, tmp_path):
    (tmp_path / "index.html").write_text(page(html.escape(VALUE)))
    (tmp_path / "clean.txt").write_text("nothing here")
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w:gz") as tar:
        data = json.dumps({"value": VALUE}).encode()
        info = tarfile.TarInfo("bundle/manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    (tmp_path / "bundle.tar.gz").write_bytes(tar_bytes.getvalue())
    (tmp_path / "log.gz").write_bytes(gzip.compress(VALUE.encode()))
    with zipfile.ZipFile(tmp_path / "pkg.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("inner/page.html", page(tornado.escape.xhtml_escape(VALUE)))
    hits, count = scan_folder(tmp_path, secrets)
    assert count == 5
    assert hits == {
        "index.html": ["env_value"],
        "bundle.tar.gz!bundle/manifest.json": ["env_value"],
        "log.gz!%s" % (tmp_path / "log"): ["env_value"],
        "pkg.zip!inner/page.html": ["env_value"],
    }
