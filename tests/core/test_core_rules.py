"""Every rule once, in the core (issue 23): adding a server (URL scheme, CA as a path or as text, the
key's role), choosing the target (new content or an update, never both), the title, sharing and
drafts. The CLI is run here as a subprocess against Connect's recorded answers over real HTTP; the
dialogs' side of the same rules is tests/extension/test_extension_core_rules.py.
"""

import pytest

from rsconnect_jupyter import servers, sharing
from rsconnect_jupyter.deploy import check_request
from rsconnect_jupyter.exceptions import COMMAND_LINE_ADVICE, Fix, InvalidInput, PermissionDenied
from rsconnect_jupyter.jupyter.wording import DIALOG_ADVICE, for_dialog
from rsconnect_jupyter.options import ContentOptions, ServerChoice, SharingOptions, Target
from rsconnect_jupyter.publish_flow import check_drafts
from rsconnect_jupyter.store import ServerStore
from rsconnect_jupyter.target import check_target, validate_title
from tests.core.isolated_cli import cli, saved


@pytest.fixture
def config(tmp_path, monkeypatch):
    folder = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))  # the core's own saves, in-process
    return folder


# -- adding a server --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/", "127.0.0.1:3939", "", "file:///etc/passwd", "http://", "http://a b/"]
)
def test_a_url_that_is_not_http_is_refused(url):
    with pytest.raises(InvalidInput) as refused:
        servers.check_url(url)
    assert str(refused.value).endswith("must start with http:// or https://.")


def test_the_url_rule_is_the_clis_too(config):
    result = cli(["add", "-n", "x", "-s", "ftp://127.0.0.1/", "-k", "good"], config)
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: The server URL 'ftp://127.0.0.1/' must start with http:// or https://."
    assert saved(config) == {}


def test_a_viewer_key_is_refused_and_nothing_is_saved(fixture_server, config):
    with pytest.raises(PermissionDenied) as refused:
        servers.add_server("fx", fixture_server.url, "viewer")
    sentence = str(refused.value)
    assert sentence.startswith("bob is a viewer on ") and sentence.endswith(
        " and cannot publish: use the API key of a publisher or an administrator, "
        "or ask an administrator for the publisher role."
    )
    assert saved(config) == {}
    # The CLI says the same sentence, and saves nothing either (it used to save a viewer's key).
    result = cli(["add", "-n", "fx", "-s", fixture_server.url, "-k", "viewer"], config)
    assert result.returncode == 1 and result.stderr.strip() == "Error: " + sentence
    assert saved(config) == {}


def test_a_publisher_key_is_saved_and_the_first_server_is_the_default(fixture_server, config):
    added = servers.add_server("", fixture_server.url, "good")
    assert added.user["username"] == "bob" and not added.replaced
    assert saved(config) == {
        fixture_server.url: {
            "name": fixture_server.url,
            "url": fixture_server.url,
            "api_key": "good",
            "insecure": False,
            "ca_cert": None,
            "default": True,
        }
    }
    assert servers.add_server("", fixture_server.url, "good").replaced


def test_the_ca_is_saved_as_its_text_from_a_path_or_the_text(tls_cert, tmp_path):
    text = tls_cert["cert"].read_text()
    assert servers.ca_cert_text(str(tls_cert["cert"])) == text
    assert servers.ca_cert_text(text) == text.strip() + "\n"
    assert servers.ca_cert_text("") is None and servers.ca_cert_text(None) is None
    with pytest.raises(InvalidInput) as missing:
        servers.ca_cert_text(str(tmp_path / "nowhere.pem"))
    assert "does not exist; check the path" in str(missing.value)
    (tmp_path / "not-pem.txt").write_text("hello")
    with pytest.raises(InvalidInput) as not_pem:
        servers.ca_cert_text(str(tmp_path / "not-pem.txt"))
    assert "is not a PEM certificate" in str(not_pem.value)
    # The advice names the CLI's option on the command line, the dialog's words in a dialog.
    assert "--cacert" in str(not_pem.value) and "--" not in for_dialog(not_pem.value)


def test_a_ca_given_as_text_or_path_saves_what_rsconnect_python_saves(tls_cert, config):
    from tests.core.fixture_server import FixtureServer

    server = FixtureServer(prefix="/", certfile=str(tls_cert["pem"]))
    try:
        text = tls_cert["cert"].read_text()
        servers.add_server("by-text", server.url, "good", ca_cert=text)
        servers.add_server("by-path", server.url, "good", ca_cert=str(tls_cert["cert"]))
        result = cli(["add", "-n", "by-cli", "-s", server.url, "-k", "good", "-c", str(tls_cert["cert"])], config)
        assert result.returncode == 0, result.stderr
        entries = saved(config)
        assert {entries[n]["ca_cert"].strip() for n in ("by-text", "by-path", "by-cli")} == {text.strip()}
        # Saved text is what the client verifies with: a later call over TLS works.
        assert ServerStore().get("by-text").ca_cert.startswith("-----BEGIN CERTIFICATE-----")
        assert "bob (publisher)" in cli(["details", "-n", "by-text"], config).stdout
    finally:
        server.close()


# -- choosing the target, the title, sharing, drafts ------------------------------------------


def test_new_content_and_an_update_together_are_refused():
    target = Target(server=ServerChoice(), app_id="42", new=True)
    with pytest.raises(InvalidInput) as refused:
        check_target(target)
    assert (
        str(refused.value)
        == "New content and an update of content 42 were both asked for: pass --new or --app-id, not both."
    )
    assert for_dialog(refused.value) == (
        'New content and an update of content 42 were both asked for: choose either "Publish to a new '
        'location" or the content to update.'
    )
    with pytest.raises(InvalidInput):
        check_request(target, ContentOptions())
    assert check_target(Target(server=ServerChoice(), app_id="42")).app_id == "42"
    assert check_target(Target(server=ServerChoice(), new=True)).new


def test_new_with_app_id_on_the_command_line(tmp_path):
    (tmp_path / "page.html").write_text("<p>hi</p>")
    result = cli(
        ["deploy", "html", "-s", "http://127.0.0.1:9/", "-k", "k", "--new", "-a", "42", str(tmp_path / "page.html")],
        tmp_path / "config",
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: New content and an update of content 42 were both asked for: pass --new or --app-id, not both."
    )


def test_a_title_out_of_bounds_names_the_control_of_each_front_end():
    with pytest.raises(InvalidInput) as refused:
        validate_title("ab")
    assert str(refused.value) == 'The title "ab" must be 3 to 1024 characters long: choose another with -t/--title.'
    assert for_dialog(refused.value) == 'The title "ab" must be 3 to 1024 characters long: type another title.'


def test_sharing_is_checked_in_the_core():
    asked = SharingOptions(access=None, viewers=(" ann ", "", "ann"), tags=(" q4 ",), vanity=" /sales/ ")
    assert sharing.checked(asked) == SharingOptions(viewers=("ann",), tags=("q4",), vanity="/sales/")
    with pytest.raises(InvalidInput) as access:
        sharing.checked(SharingOptions(access="everyone"))
    assert str(access.value) == "The access type 'everyone' is not one Connect has: choose all, logged_in, acl."
    with pytest.raises(InvalidInput) as vanity:
        sharing.checked(SharingOptions(vanity="//"))
    assert "names no path" in str(vanity.value)
    checked = check_request(Target(server=ServerChoice()), ContentOptions(title=" Report ", sharing=asked))
    assert checked.title == "Report" and checked.sharing.viewers == ("ann",)


def test_drafts_on_an_old_server_name_each_front_ends_control(fixture_server):
    from rsconnect_jupyter.connect import ConnectClient

    with pytest.raises(InvalidInput) as refused:
        check_drafts(ConnectClient(fixture_server.url, "good"))  # the recorded server is Connect 2024.x
    assert str(refused.value).endswith("drafts need 2025.06 or later: leave out --draft to publish live.")
    assert for_dialog(refused.value).endswith(
        'drafts need 2025.06 or later: uncheck "Publish as draft" to publish live.'
    )


def test_every_hint_has_both_wordings_and_the_dialogs_name_no_option():
    for fix in Fix:
        assert COMMAND_LINE_ADVICE[fix] and DIALOG_ADVICE[fix], fix
        assert " -" not in DIALOG_ADVICE[fix] and "--" not in DIALOG_ADVICE[fix], fix


def test_an_environment_variable_name_is_checked_once_and_advised_per_front_end():
    from rsconnect_jupyter.deploy import environment_values
    from rsconnect_jupyter.jupyter.actions import check_environment_names

    with pytest.raises(InvalidInput) as command_line:
        environment_values(["1BAD=x"], {})
    with pytest.raises(InvalidInput) as dialog:
        check_environment_names(["1BAD"])
    assert command_line.value.problem == dialog.value.problem == '"1BAD" is not an environment variable name'
    assert "-E NAME=VALUE" in str(command_line.value)
    assert for_dialog(dialog.value) == (
        '"1BAD" is not an environment variable name: use letters, digits and _, not starting with a digit.'
    )
