"""Packaging for rsconnect_jupyter.

The Jupyter config files and the nbextension's JavaScript are installed as data files, so a
plain `pip install` enables the extension in notebook 6.5, nbclassic and jupyter_server 2
with no further commands (the seed's `jupyter nbextension ...` commands still work). The
prebuilt JupyterLab 4 / Notebook 7 extension goes to share/jupyter/labextensions/ the same way.
"""
import glob
import os
import re

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def read_version():
    with open(os.path.join(HERE, "rsconnect_jupyter", "__init__.py")) as f:
        return re.search(r'^__version__ = "([^"]+)"', f.read(), re.M).group(1)


def files(pattern):
    return sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))


LABEXTENSION = "rsconnect_jupyter/labextension"  # built by `jlpm build` in labextension/
LABEXTENSION_NAME = "rsconnect-jupyter"  # labextension/package.json "name"


def labextension_data():
    """The prebuilt JupyterLab 4 / Notebook 7 extension, folder by folder, when it was built.

    A clean clone has no build: the CLI and the classic extension still install.
    """
    if not os.path.isfile(os.path.join(HERE, LABEXTENSION, "package.json")):
        print("warning: %s/ is not built, so the JupyterLab 4 / Notebook 7 extension is left out;"
              " run `jlpm install && jlpm build` in labextension/ first to include it." % LABEXTENSION)
        return []
    target = "share/jupyter/labextensions/" + LABEXTENSION_NAME
    by_folder = {}
    for path in files(LABEXTENSION + "/**/*"):
        folder = os.path.dirname(os.path.relpath(path, LABEXTENSION))
        by_folder.setdefault(os.path.join(target, folder).rstrip("/"), []).append(path)
    return sorted(by_folder.items())


setup(
    name="rsconnect_jupyter",
    version=read_version(),
    description="Publish Jupyter notebooks, Python APIs and apps to Posit Connect",
    long_description=open(os.path.join(HERE, "README.md")).read(),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.9",
    packages=find_packages(include=["rsconnect_jupyter", "rsconnect_jupyter.*"]),
    # Package data is listed here only: the built lab extension inside the package folder is
    # wheel data (data_files below), not package data.
    include_package_data=False,
    package_data={"rsconnect_jupyter": ["nbextension/*", "nbextension/**/*", "localconnect/*.html"]},
    data_files=[
        ("etc/jupyter/jupyter_notebook_config.d", files("jupyter-config/jupyter_notebook_config.d/*.json")),
        ("etc/jupyter/jupyter_server_config.d", files("jupyter-config/jupyter_server_config.d/*.json")),
        ("etc/jupyter/nbconfig/notebook.d", files("jupyter-config/nbconfig/notebook.d/*.json")),
        ("share/jupyter/nbextensions/rsconnect_jupyter", files("rsconnect_jupyter/nbextension/*")),
    ] + labextension_data(),
    install_requires=[
        "click>=8",
        "requests>=2.25",
        "tornado>=6.1",
        "nbformat>=5",
        "nbconvert>=6",
        "ipykernel>=6",
    ],
    extras_require={
        "notebook": ["notebook>=6.5,<7"],
        "test": [
            "notebook==6.5.7",
            "nbclassic>=1.0",
            "jupyter_server>=2",
            "pytest>=7",
            "pytest-timeout",
            "playwright",
            "hypothesis",
            "uv",
            "flake8",
        ],
    },
    entry_points={"console_scripts": ["rsconnect = rsconnect_jupyter.cli:main"]},
    classifiers=[
        "Framework :: Jupyter",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3.9",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
    ],
)
