"""Notebooks: named collections side by side in one store (embedded, and a real `chroma run` server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.config import Settings
from rag.embeddings import HashingEmbeddings
from rag.errors import InputError, NotFoundError
from rag.service import Service
from tests.conftest import ChromaServer, server_settings

FERRY = ("Lumen ferry line approved\n\nThe harbour authority of Lumen said on Monday that the new ferry line "
         "will carry 4,000 passengers a day between the two islands once the pier is finished next spring.\n\n"
         "Critics on the island council argue that the pier's cost has doubled since the first estimate.\n")


@pytest.fixture
def ferry(tmp_path: Path) -> Path:
    folder = tmp_path / "ferry"
    folder.mkdir()
    (folder / "ferry.txt").write_text(FERRY, encoding="utf-8")
    return folder


def _two_notebooks(service: Service, seeds: Path, ferry: Path) -> tuple[Service, Service]:
    service.ingest([seeds])
    islands = service.for_notebook(service.notebooks.create("Islands").id)
    islands.ingest([ferry])
    return service, islands


def _check_kept_apart(seeds_nb: Service, islands: Service) -> None:
    assert [r.file_name for r in islands.sources()] == ["ferry.txt"]
    assert len(seeds_nb.sources()) == 5
    answer = islands.ask("How many passengers will the ferry carry a day?", verify="off")
    cited = {c.file_name for s in answer.sentences for c in s.citations}
    assert cited == {"ferry.txt"}
    hits = islands.retrieve("Russia's role in the Armenia-Azerbaijan peace process")
    assert {h.file_name for h in hits} == {"ferry.txt"}  # the seeds are in another notebook
    answer = seeds_nb.ask("What did Zakharova say about the European Union mission?", verify="off")
    assert answer.sentences and all(c.file_name != "ferry.txt" for s in answer.sentences for c in s.citations)
    assert all(h.file_name != "ferry.txt" for h in seeds_nb.retrieve("ferry passengers pier harbour"))


def test_an_answer_in_one_notebook_never_cites_another(service: Service, seeds_copy: Path, ferry: Path) -> None:
    _check_kept_apart(*_two_notebooks(service, seeds_copy, ferry))


def test_notebooks_on_a_chroma_server_are_kept_apart(settings: Settings, chroma_server: ChromaServer,
                                                     seeds_copy: Path, ferry: Path) -> None:
    remote = Service(server_settings(settings, chroma_server), embeddings=HashingEmbeddings())
    seeds_nb, islands = _two_notebooks(remote, seeds_copy, ferry)
    _check_kept_apart(seeds_nb, islands)
    # Another process on the same server sees the same notebooks.
    other = Service(remote.settings, embeddings=HashingEmbeddings())
    assert [n.name for n in other.notebooks.all()] == ["default", "Islands"]
    assert [r.file_name for r in other.for_notebook("islands").sources()] == ["ferry.txt"]


def test_deleting_a_notebook_removes_all_of_it_and_nothing_else(service: Service, seeds_copy: Path,
                                                                ferry: Path) -> None:
    """Both notebooks hold the same file (the same content hash): deleting one leaves the other whole."""
    service.ingest([seeds_copy])
    other = service.for_notebook(service.notebooks.create("Copy").id)
    other.ingest([seeds_copy, ferry])
    shared = next(r for r in other.sources() if r.file_name == "003_cb3a59321c21f76c.txt")
    before = {r.id for r in service.sources()}
    chunks_before = service.store.count_chunks()
    (other.work_dir / "notes").mkdir(parents=True)
    (other.work_dir / "notes" / "kept.json").write_text("{}")
    assert other.work_dir != service.work_dir and other.work_dir.is_relative_to(service.settings.data_dir)
    service.delete_notebook("copy")
    assert {r.id for r in service.sources()} == before and shared.id in before
    assert service.store.count_chunks() == chunks_before
    assert service.store.get_document_text(shared.id) is not None
    assert not other.work_dir.exists()
    assert [n.name for n in service.notebooks.all()] == ["default"]
    names = {c.name for c in service.client.list_collections()}
    assert not any("-nb-" in name for name in names)
    with pytest.raises(NotFoundError, match="no notebook 'copy'"):
        service.for_notebook("copy")


def test_a_malformed_id_never_names_a_folder(tmp_path: Path) -> None:
    from rag.errors import StoreError
    from rag.notebooks import notebook_dir

    assert notebook_dir(tmp_path, "default") == tmp_path
    assert notebook_dir(tmp_path, "0123456789") == tmp_path / "notebooks" / "0123456789"
    for bad in ("", "..", "../x", "0123456789/..", "ABCDEF0123"):
        with pytest.raises(StoreError, match="malformed notebook id"):
            notebook_dir(tmp_path, bad)


def test_names_are_checked_and_the_default_notebook_stays(service: Service) -> None:
    registry = service.notebooks
    first = registry.create("  Caucasus   talks ")
    assert first.name == "Caucasus talks" and registry.resolve("caucasus TALKS") == first
    assert registry.resolve(first.id) == first
    for bad, message in (("", "needs a name"), ("x" * 81, "at most 80"), ("CAUCASUS talks", "exists already"),
                         ("a\x07b", "control characters")):
        with pytest.raises(InputError, match=message):
            registry.create(bad)
    renamed = registry.rename(first.id, "South Caucasus")
    assert renamed.id == first.id and registry.resolve("south caucasus").id == first.id
    with pytest.raises(NotFoundError):
        registry.resolve("Caucasus talks")
    with pytest.raises(InputError, match="default notebook cannot be deleted"):
        service.delete_notebook("default")
    registry.rename("default", "Seeds")  # a display name; its data stays where it was
    assert [n.name for n in registry.all()] == ["Seeds", "South Caucasus"]
    assert service.for_notebook("seeds").collection == service.settings.collection


def test_every_command_takes_a_notebook(tmp_path: Path, seeds_copy: Path, ferry: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.cli import app

    for key, value in {"SOURCEBRIEF_DATA_DIR": str(tmp_path / "data"), "SOURCEBRIEF_EMBEDDING_PROVIDER": "fake",
                       "SOURCEBRIEF_LLM_PROVIDER": "fake", "SOURCEBRIEF_VERIFY_MODE": "off"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SOURCEBRIEF_CHROMA_HOST", raising=False)
    monkeypatch.delenv("SOURCEBRIEF_NOTEBOOK", raising=False)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    assert "created notebook 'Islands'" in run("notebook", "create", "Islands")
    run("ingest", str(seeds_copy))
    run("ingest", str(ferry), "--notebook", "islands")
    listed = run("notebook", "list")
    assert "default" in listed and "Islands" in listed
    assert "ferry.txt" in run("sources", "--notebook", "Islands") and "ferry.txt" not in run("sources")
    assert "ferry.txt" in run("retrieve", "ferry passengers", "--notebook", "Islands")
    assert "ferry.txt" in run("ask", "How many passengers will the ferry carry?", "--notebook", "Islands",
                              "--markdown")
    monkeypatch.setenv("SOURCEBRIEF_NOTEBOOK", "Islands")  # the setting does what the option does
    assert "ferry.txt" in run("sources")
    monkeypatch.delenv("SOURCEBRIEF_NOTEBOOK")
    run("notebook", "rename", "islands", "Ferries")
    missing = runner.invoke(app, ["sources", "--notebook", "Islands"])  # `main` prints it as one line
    assert missing.exit_code != 0 and "no notebook 'Islands'" in str(missing.exception)
    assert "deleted notebook 'Ferries' (1 documents)" in run("notebook", "delete", "ferries", "--yes")
    refused = runner.invoke(app, ["notebook", "delete", "default", "--yes"])
    assert refused.exit_code != 0 and "cannot be deleted" in str(refused.exception)
    assert "000_4cf79fb7c8a49485.txt" in run("sources")


def test_the_api_works_on_a_notebook_and_the_old_routes_on_default(service: Service, seeds_copy: Path,
                                                                   ferry: Path) -> None:
    from fastapi.testclient import TestClient

    from ui.server import create_server

    service.ingest([seeds_copy])
    client = TestClient(create_server(service))
    created = client.post("/api/notebooks", json={"name": "Islands"}).json()
    assert client.post("/api/notebooks", json={"name": "islands"}).status_code == 400
    with (ferry / "ferry.txt").open("rb") as handle:
        added = client.post(f"/api/notebooks/{created['id']}/ingest", files={"file": ("ferry.txt", handle)}).json()
    assert added["added"] == 1 and added["documents"] == 1
    listed = {n["name"]: n["documents"] for n in client.get("/api/notebooks").json()}
    assert listed == {"default": 5, "Islands": 1}
    assert [s["file_name"] for s in client.get("/api/notebooks/Islands/sources").json()] == ["ferry.txt"]
    assert len(client.get("/api/sources").json()) == 5  # the old route: the default notebook
    assert [s["file_name"] for s in client.get("/api/sources?notebook=islands").json()] == ["ferry.txt"]
    body = client.post("/api/notebooks/islands/ask", json={"question": "How many passengers will the ferry "
                                                          "carry?", "verify": "off"}).json()
    assert {c["file_name"] for s in body["sentences"] for c in s["citations"]} == {"ferry.txt"}
    assert client.get("/api/notebooks/nowhere/sources").status_code == 404
    renamed = client.patch(f"/api/notebooks/{created['id']}", json={"name": "Ferries"}).json()
    assert renamed["name"] == "Ferries" and renamed["id"] == created["id"]
    assert client.delete("/api/notebooks/default").status_code == 400
    assert client.delete("/api/notebooks/ferries").json()["id"] == created["id"]
    assert [n["name"] for n in client.get("/api/notebooks").json()] == ["default"]
    assert len(client.get("/api/sources").json()) == 5


def test_the_app_opens_the_notebook_a_link_or_the_server_names(service: Service) -> None:
    from ui.notebook_handlers import NotebookHandlers

    made = service.notebooks.create("Islands")
    books = NotebookHandlers(service)
    assert books.opened(None) == ("default", "") and books.opened("islands") == (made.id, "")
    assert books.opened("nowhere") == ("default", "No notebook 'nowhere': showing “default”.")
    served = NotebookHandlers(service.for_notebook("Islands"))  # `serve --notebook Islands`
    assert served.opened(None) == (made.id, "")
    assert books.desk(made.id).docs.service.collection.endswith(made.id)
    assert books.choices() == [("default", "default"), ("Islands", made.id)]
