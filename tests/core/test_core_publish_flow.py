"""The publish flow (publish_flow.py, through deploy.py's publish_notebook) against Connect's
recorded responses: what it logs."""

from tests.core import snapshots
from tests.project_copies import copy_example


def test_packages_left_out_are_named_in_the_log(fixture_server, tmp_path):
    from rsconnect_jupyter.deploy import publish_notebook
    from rsconnect_jupyter.options import EnvironmentOptions, Feedback, NotebookOptions, Target
    from rsconnect_jupyter.store import Server

    folder = tmp_path / "nb"
    copy_example(folder)
    snapshot = snapshots.snapshot(
        "click==8.1.7\n# mylib==0.1: left out, installed from an editable install\n",
        python="3.11.6",
        pip="24.0",
        locale="C.UTF-8",
    )
    lines = []
    deployment = publish_notebook(
        Target(Server("fx", fixture_server.url, "good")),
        folder / "hello.ipynb",
        NotebookOptions(static=False),
        env=EnvironmentOptions(snapshot=snapshot),
        feedback=Feedback(log=lines.append),
    )
    assert deployment.app_mode == "jupyter-static" and deployment.content_id == "42"
    assert any(line.startswith("Warning:") and "mylib==0.1" in line for line in lines)
    assert "    Application successfully deployed" in lines  # the task log, streamed
