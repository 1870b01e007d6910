"""`riskctl report site`: a page for every report, risk, launch and framework in scope, links
that resolve, pages equal to `report KIND -f html` with a link home, and a folder written whole
or not at all, never over someone else's files."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from riskctl.cli import app
from tests.conftest import FROZEN_NOW, SHIPPED_REGISTER
from tests.gitrepo import GitRepo

runner = CliRunner()
HREF = re.compile(r'<a href="([^"]*)"')


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    """The shipped register, committed once in a repository of its own."""
    repo = GitRepo(tmp_path_factory.mktemp("site") / "repo")
    repo.copy_register(SHIPPED_REGISTER)
    repo.commit("the register", day=300)
    return repo


def _site(repo: GitRepo, out: str, *extra: str) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(repo.root)
    try:
        result = runner.invoke(
            app, ["report", "site", "register", "--now", FROZEN_NOW, "--out", out, *extra]
        )
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def site(repository: GitRepo) -> Path:
    code, stdout, stderr = _site(repository, "site")
    assert (code, stderr) == (0, ""), stderr
    assert stdout.startswith("wrote site/ (")
    return repository.root / "site"


def _files(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def test_a_page_for_every_report_risk_launch_and_framework_in_scope(site: Path) -> None:
    register = SHIPPED_REGISTER
    config = yaml.safe_load((register / "riskctl.yaml").read_text(encoding="utf-8"))
    frameworks = {entry["id"] for entry in config["frameworks"]["in_scope"]}
    expected = {
        ".riskctl-site",
        "index.html",
        "wbr.html",
        "mbr.html",
        "register.html",
        "rcm.html",
        *(f"risks/{path.stem}.html" for path in (register / "risks").glob("*.yaml")),
        *(f"launches/{path.stem}.html" for path in (register / "launches").glob("*.yaml")),
        *(f"soa/{framework}.html" for framework in frameworks),
    }
    assert _files(site) == expected
    assert len(expected) == 40  # 31 risks, 2 launches, 1 framework: the shipped register


def test_every_link_resolves_and_every_page_links_home(site: Path) -> None:
    for name in _files(site) - {".riskctl-site"}:
        page = site / name
        text = page.read_text(encoding="utf-8")
        links = HREF.findall(text)
        for link in links:
            assert (page.parent / link).resolve().is_file(), (name, link)
        if name != "index.html":
            assert links[0] == "../" * name.count("/") + "index.html", name
    index = (site / "index.html").read_text(encoding="utf-8")
    linked = set(HREF.findall(index))
    assert linked == _files(site) - {".riskctl-site", "index.html"}


def test_a_page_is_the_report_format_html_writes_with_a_link_home(
    repository: GitRepo, site: Path
) -> None:
    old = Path.cwd()
    os.chdir(repository.root)
    try:
        for arguments, name in [
            (["risk", "R-001"], "risks/R-001.html"),
            (["launch", "LAUNCH-002"], "launches/LAUNCH-002.html"),
            (["wbr"], "wbr.html"),
            (["soa", "nist-csf-2.0"], "soa/nist-csf-2.0.html"),
        ]:
            result = runner.invoke(
                app, ["report", *arguments, "register", "--now", FROZEN_NOW, "-f", "html"]
            )
            assert result.exit_code == 0, result.stderr
            page = (site / name).read_text(encoding="utf-8")
            home = "../" * name.count("/") + "index.html"
            nav = f'<nav class="rk-nav"><a href="{home}">Index</a></nav>\n'
            assert nav in page
            assert page.replace(nav, "") == result.stdout, name
    finally:
        os.chdir(old)


def test_the_index_shows_the_state_at_a_glance(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    open_risks = [
        path
        for path in (SHIPPED_REGISTER / "risks").glob("*.yaml")
        if yaml.safe_load(path.read_text(encoding="utf-8")).get("status", "open") == "open"
    ]
    assert f'<tr><td>open risks</td><td class="rk-num">{len(open_risks)}</td></tr>' in index
    assert re.search(r'<tr><td>above appetite</td><td class="rk-num">\d+</td></tr>', index)
    assert "<title>Risk register · register · 2026-11-27</title>" in index
    assert index.count('href="risks/') == len(list((SHIPPED_REGISTER / "risks").glob("*.yaml")))


def test_a_second_run_replaces_the_site_and_drops_stale_pages(
    repository: GitRepo, site: Path
) -> None:
    folder = repository.root / "again"
    shutil.copytree(site, folder)  # an earlier run's site (it has the marker)
    (folder / "risks" / "R-999.html").write_text("stale", encoding="utf-8")
    (folder / "index.html").write_text("old", encoding="utf-8")
    code, _, stderr = _site(repository, "again")
    assert code == 0, stderr
    assert _files(folder) == _files(site)
    assert (folder / "index.html").read_bytes() == (site / "index.html").read_bytes()
    assert [p.name for p in repository.root.iterdir() if p.name.startswith(".again")] == []


def test_a_failed_run_leaves_the_site_as_it_was(
    repository: GitRepo, site: Path, tmp_path: Path
) -> None:
    folder = repository.root / "kept"
    shutil.copytree(site, folder)
    before = {name: (folder / name).read_bytes() for name in _files(folder)}
    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "wbr.html.j2").write_text("{% if %}", encoding="utf-8")  # the first page drawn
    code, _, stderr = _site(repository, "kept", "--templates", str(broken))
    assert code == 3 and "wbr.html.j2" in stderr, stderr
    assert {name: (folder / name).read_bytes() for name in _files(folder)} == before
    leftovers = [p.name for p in repository.root.iterdir() if p.name.startswith(".kept")]
    assert leftovers == []


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (".", "holding the register folder"),
        ("register/site", "inside the register folder"),
        ("foreign", "a folder with files riskctl did not write"),
        ("link", "a symbolic link"),
        ("a-file", "not a folder"),
        ("missing/site", "does not exist"),
    ],
)
def test_refused_folders_are_left_alone(
    repository: GitRepo, out: str, message: str, tmp_path: Path
) -> None:
    root = repository.root
    (root / "foreign").mkdir(exist_ok=True)
    (root / "foreign" / "notes.txt").write_text("mine", encoding="utf-8")
    if not (root / "link").is_symlink():
        (root / "link").symlink_to("foreign")
    (root / "a-file").write_text("mine", encoding="utf-8")
    before = sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*") if ".git" not in p.parts
    )
    code, stdout, stderr = _site(repository, out)
    assert (code, stdout) == (3, "")
    assert message in stderr, stderr
    after = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if ".git" not in p.parts)
    assert after == before


def test_hostile_titles_stay_text_in_the_index(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(SHIPPED_REGISTER)
    risk = repo.root / "register" / "risks" / "R-001.yaml"
    text = risk.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    hostile = '"<script>alert(1)</script><a href=\\"https://evil.example\\">x</a>"'
    risk.write_text(text.replace(title, f"title: {hostile}"), encoding="utf-8")
    repo.commit("hostile", day=300)
    code, _, stderr = _site(repo, "site")
    assert code == 0, stderr
    for name in _files(repo.root / "site") - {".riskctl-site"}:
        page = (repo.root / "site" / name).read_text(encoding="utf-8")
        assert "<script" not in page and 'evil.example">' not in page, name
        assert all(not link.startswith(("http", "//")) for link in HREF.findall(page)), name
    index = (repo.root / "site" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index


def test_the_site_folder_can_be_copied_and_served_anywhere(site: Path, tmp_path: Path) -> None:
    """Links are relative: the copy's links resolve in the copy."""
    copy = tmp_path / "published"
    shutil.copytree(site, copy)
    for name in _files(copy) - {".riskctl-site"}:
        for link in HREF.findall((copy / name).read_text(encoding="utf-8")):
            target = ((copy / name).parent / link).resolve()
            assert target.is_relative_to(copy.resolve()) and target.is_file()


def test_a_risk_whose_id_is_too_long_for_a_file_name_still_has_a_page(tmp_path: Path) -> None:
    """`R-` and any number of digits is a valid risk id; a file name holds 255 bytes at most.
    The page of an id too long to be its name is named by its start and a digest of it."""
    repo = GitRepo(tmp_path / "repo")
    repo.copy_register(SHIPPED_REGISTER)
    long_id = "R-" + "1" * 300  # longer than any file name may be (the file keeps a short name)
    risk = repo.root / "register" / "risks" / "R-002.yaml"
    risk.write_text(
        risk.read_text(encoding="utf-8").replace("id: R-002", f"id: {long_id}"), encoding="utf-8"
    )
    repo.commit("a long id", day=300)
    code, _, stderr = _site(repo, "site")
    assert code == 0, stderr
    folder = repo.root / "site"
    pages = [name for name in _files(folder) if name.startswith("risks/R-111")]
    assert len(pages) == 1 and len(pages[0]) < 100, pages
    assert long_id in (folder / pages[0]).read_text(encoding="utf-8")
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert pages[0] in HREF.findall(index)


def test_ctrl_c_while_the_old_site_is_removed_leaves_no_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (SIGINT, a real one) arriving while the replaced site is being removed: the new
    site stays, the old one is gone entirely, and the interrupt still ends the run."""
    import signal

    from riskctl.fileio import write_folder

    folder = tmp_path / "site"
    write_folder(folder, {"index.html": "old", "risks/R-001.html": "old"}, ".marker", "--out")
    real_rmtree = shutil.rmtree

    def interrupted_rmtree(path: str | Path, *args: object, **kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # as if the user pressed Ctrl-C now
        real_rmtree(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(shutil, "rmtree", interrupted_rmtree)
    with pytest.raises(KeyboardInterrupt):
        write_folder(folder, {"index.html": "new"}, ".marker", "--out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert _files(folder) == {".marker", "index.html"}
    assert (folder / "index.html").read_text(encoding="utf-8") == "new"


def test_a_mount_point_is_refused_with_a_way_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder mounted in place (`docker run -v $PWD/public:/site`) cannot be renamed, so the
    site cannot replace it as a whole: refused before any work, saying what to do instead of
    the rename's bare "Device or resource busy"."""
    from riskctl.errors import RiskctlError
    from riskctl.fileio import check_output_folder, write_folder

    folder = tmp_path / "site"
    folder.mkdir()
    real_ismount = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda path: Path(path) == folder or real_ismount(path))
    for attempt in (
        lambda: check_output_folder(folder, ".marker", "--out"),
        lambda: write_folder(folder, {"index.html": "new"}, ".marker", "--out"),
    ):
        with pytest.raises(RiskctlError, match=r"a mount point.*--out .*site/site"):
            attempt()
    assert list(folder.iterdir()) == [] and sorted(tmp_path.iterdir()) == [folder]


def test_a_mount_point_the_check_cannot_see_is_explained_when_the_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bind mount on the same device looks like any folder to `os.path.ismount`; renaming it
    fails with EBUSY, which names the mount point too, and the old site stays."""
    import errno

    from riskctl.errors import RiskctlError
    from riskctl.fileio import write_folder

    folder = tmp_path / "site"
    write_folder(folder, {"index.html": "old"}, ".marker", "--out")
    real_rename = os.rename

    def busy(source: str | Path, target: str | Path) -> None:
        if Path(source) == folder:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY))
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", busy)
    with pytest.raises(RiskctlError, match="a mount point"):
        write_folder(folder, {"index.html": "new"}, ".marker", "--out")
    assert (folder / "index.html").read_text(encoding="utf-8") == "old"
    assert sorted(tmp_path.iterdir()) == [folder]


def test_out_dash_is_refused_not_taken_as_a_folder_named_dash(repository: GitRepo) -> None:
    """Everywhere else `--out -` is stdout; a site is a folder, so `-` would have been a folder
    named `-` in the current one (awkward to remove: `rm -r -` reads it as an option)."""
    code, stdout, stderr = _site(repository, "-")
    assert (code, stdout) == (3, "")
    assert "--out -: " in stderr and "a folder" in stderr, stderr
    assert not (repository.root / "-").exists()


@pytest.mark.parametrize("earlier", [False, True], ids=["new", "replacing"])
def test_two_runs_at_once_one_wins_the_other_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, earlier: bool
) -> None:
    """Another run is writing the folder between this run's check and its renames (its new
    site already in place, or its old one moved aside): this run fails saying so (not a bare
    "Directory not empty" or "No such file or directory") and leaves no temporary folder."""
    from riskctl.errors import RiskctlError
    from riskctl.fileio import write_folder

    folder = tmp_path / "site"
    if earlier:
        write_folder(folder, {"index.html": "old"}, ".marker", "--out")
    real_rename = os.rename
    done: list[bool] = []

    def other_run_first(source: str | Path, target: str | Path) -> None:
        if not done:  # the other run acts just before this run's first rename
            done.append(True)
            if earlier:  # it has moved the old site aside and not yet put its own in place
                real_rename(folder, tmp_path / "other-run-aside")
            else:  # it has put its new site in place
                (tmp_path / "other").mkdir()
                (tmp_path / "other" / "index.html").write_text("other", encoding="utf-8")
                real_rename(tmp_path / "other", folder)
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", other_run_first)
    with pytest.raises(RiskctlError, match="another run wrote it at the same time"):
        write_folder(folder, {"index.html": "mine"}, ".marker", "--out")
    if not earlier:
        assert (folder / "index.html").read_text(encoding="utf-8") == "other"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


def test_templates_inside_the_site_folder_are_refused_not_deleted(
    repository: GitRepo, site: Path
) -> None:
    """The site folder is replaced as a whole, so `--templates` inside it would be deleted by
    the very run that reads them."""
    folder = repository.root / "with-templates"
    shutil.copytree(site, folder)
    (folder / "templates").mkdir()
    (folder / "templates" / "site.html.j2").write_text("mine", encoding="utf-8")
    code, stdout, stderr = _site(
        repository, "with-templates", "--templates", str(folder / "templates")
    )
    assert (code, stdout) == (3, "")
    assert "--templates" in stderr and "inside" in stderr, stderr
    assert (folder / "templates" / "site.html.j2").read_text(encoding="utf-8") == "mine"


def test_a_site_folder_made_a_git_repository_is_refused_not_replaced(
    repository: GitRepo, site: Path
) -> None:
    """`cd site && git init && git push` to publish it by hand: the next run would replace the
    folder as a whole and delete its `.git` with it."""
    folder = repository.root / "published"
    shutil.copytree(site, folder)
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n", encoding="utf-8")
    code, stdout, stderr = _site(repository, "published")
    assert (code, stdout) == (3, "")
    assert ".git" in stderr, stderr
    assert (folder / ".git" / "HEAD").is_file()
