"""quarto.py without a Quarto: what a document or project is, read from its files as Posit Publisher
reads them (engines from the extension, front matter and code chunks; a project's inputs; shiny)."""

import json

import pytest

from rsconnect_jupyter import quarto
from rsconnect_jupyter.exceptions import InvalidInput


@pytest.fixture(autouse=True)
def no_quarto(monkeypatch, tmp_path):
    # No Quarto runs on this machine; make sure none is found on PATH either, whatever the machine.
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setattr(quarto, "WELL_KNOWN", ())


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "text, engines",
    [
        ("---\ntitle: x\n---\n\n```{python}\n1\n```\n", ["jupyter"]),
        ("```{python echo=false}\n1\n```\n", ["jupyter"]),
        ("```{r}\n1\n```\n", ["knitr"]),
        ("```{r}\n1\n```\n\n```{python}\n2\n```\n", ["jupyter", "knitr"]),
        ("```{julia}\n1\n```\n", ["jupyter"]),
        ("```{mermaid}\ngraph TD\n```\n\n```python\nnot run: no braces\n```\n", ["markdown"]),
        ("Only words.\n", ["markdown"]),
        ("---\nengine: knitr\n---\n\n```{python}\n1\n```\n", ["knitr"]),
        ("---\njupyter: python3\n---\n\nNo chunks.\n", ["jupyter"]),
    ],
)
def test_engines_of_a_qmd(tmp_path, text, engines):
    assert quarto.document_engines(write(tmp_path / "doc.qmd", text)) == engines


def test_engines_by_extension(tmp_path):
    assert quarto.document_engines(write(tmp_path / "a.ipynb", "{}")) == ["jupyter"]
    assert quarto.document_engines(write(tmp_path / "b.Rmd", "```{python}\n1\n```\n")) == ["knitr"]


def test_a_document(tmp_path):
    found = quarto.inspect(write(tmp_path / "report.qmd", "---\ntitle: R\n---\n\n```{python}\n1\n```\n"))
    assert (found.app_mode, found.engines, found.inputs, found.is_project, found.is_site) == (
        "quarto-static",
        ["jupyter"],
        ["report.qmd"],
        False,
        False,
    )
    assert found.version == quarto.UNKNOWN_VERSION and found.needs_python
    assert "no Quarto found" in found.inspected_by


@pytest.mark.parametrize("front", ["server: shiny", "runtime: shiny", "server:\n  type: shiny"])
def test_shiny_documents_are_quarto_shiny(tmp_path, front):
    path = write(tmp_path / "live.qmd", "---\n%s\n---\n\n```{python}\n1\n```\n" % front)
    assert quarto.inspect(path).app_mode == "quarto-shiny"


def test_a_notebooks_front_matter_says_shiny(tmp_path):
    nb = {"cells": [{"cell_type": "raw", "metadata": {}, "source": "---\nserver: shiny\n---"}], "metadata": {}}
    path = write(tmp_path / "live.ipynb", json.dumps(nb))
    found = quarto.inspect(path)
    assert found.app_mode == "quarto-shiny" and found.engines == ["jupyter"]


def test_a_project_and_what_it_renders(tmp_path):
    root = tmp_path / "site"
    write(root / "_quarto.yml", "project:\n  type: website\n  output-dir: public\n")
    for name in ("index.qmd", "posts/one.qmd", "notes.md", "nb.ipynb", "README.md", "_draft.qmd", "_inc/part.qmd",
                 "public/index.html", ".quarto/x.qmd", "venv/bin/activate", "venv/lib/x.qmd"):  # fmt: skip
        write(root / name, "text\n" if not name.endswith(".ipynb") else "{}")
    found = quarto.inspect(root)
    assert found.is_project and found.is_site and found.output_dir == "public"
    assert found.inputs == ["index.qmd", "nb.ipynb", "notes.md", "posts/one.qmd"]
    assert found.engines == ["jupyter", "markdown"]
    assert quarto.rendered_excludes(found)[:2] == [".quarto", "public"]
    assert "posts/one_files" in quarto.rendered_excludes(found)


def test_a_projects_render_list_and_shiny_config(tmp_path):
    root = tmp_path / "p"
    write(root / "_quarto.yml", "project:\n  render:\n    - report.qmd\n    - '!skip.qmd'\nserver: shiny\n")
    write(root / "report.qmd", "a")
    write(root / "skip.qmd", "b")
    write(root / "other.qmd", "c")
    found = quarto.inspect(root)
    assert found.inputs == ["report.qmd"] and not found.is_site
    assert found.app_mode == "quarto-shiny"


def test_bad_input_is_one_sentence(tmp_path):
    with pytest.raises(InvalidInput, match="has no _quarto.yml"):
        quarto.inspect(tmp_path)
    with pytest.raises(InvalidInput, match="is not a Quarto document"):
        quarto.inspect(write(tmp_path / "x.txt", "x"))
    with pytest.raises(InvalidInput, match="does not exist"):
        quarto.inspect(tmp_path / "missing.qmd")
    with pytest.raises(InvalidInput, match="knitr engine"):
        quarto.inspect(write(tmp_path / "r.qmd", "```{r}\n1\n```\n"))
    write(tmp_path / "bad" / "_quarto.yml", "project: [unclosed\n")
    with pytest.raises(InvalidInput, match="cannot be read as YAML"):
        quarto.inspect(tmp_path / "bad")


def test_the_server_check():
    quarto.check_server_renders(["1.4.550"], "https://c/")  # has one: goes on
    quarto.check_server_renders(None, "https://c/")  # does not say (an older Connect): goes on
    with pytest.raises(quarto.CannotRenderQuarto, match=r"^https://c/ cannot render Quarto.*deploy html`\.$"):
        quarto.check_server_renders([], "https://c/")
