"""The S3 file store against moto's local S3-compatible server (a real HTTP endpoint speaking the S3
protocol, started in-process): the same content-addressed behaviour as the data folder's store."""

import hashlib

import pytest

from tasks.adapters import filestore


@pytest.fixture(scope="module")
def s3_settings(tmp_path_factory):
    from moto.server import ThreadedMotoServer

    from core.settings import Settings

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    settings = Settings(data_dir=tmp_path_factory.mktemp("s3"), s3_bucket="certflow-files",
                        s3_endpoint=f"http://{host}:{port}", s3_access_key="test", s3_secret_key="test")
    filestore.S3Store(settings).client.create_bucket(Bucket="certflow-files")
    yield settings
    server.stop()


def test_the_s3_store_keeps_bytes_under_their_sha256_once(s3_settings):
    store = filestore.for_settings(s3_settings)
    assert store.kind == "s3"
    content = b"%PDF-1.4 uploaded material"
    sha256 = hashlib.sha256(content).hexdigest()
    assert not store.exists(sha256)
    store.put(sha256, content)
    store.put(sha256, content)  # a repeat writes nothing new
    assert store.exists(sha256) and store.get(sha256) == content
    keys = [o["Key"] for o in store.client.list_objects_v2(Bucket="certflow-files")["Contents"]]
    assert keys == [f"sha256/{sha256}"]


def test_the_local_store_writes_read_only_files_named_by_their_hash(tmp_path):
    store = filestore.LocalStore(tmp_path)
    content = b"\x89PNG\r\n\x1a\n photo"
    sha256 = filestore.digest(content)
    store.put(sha256, content)
    path = tmp_path / sha256[:2] / sha256
    assert path.read_bytes() == content and not path.stat().st_mode & 0o222
    store.put(sha256, content)
    assert [p.name for p in path.parent.iterdir()] == [sha256]  # no temporary file left behind


def test_a_document_rendered_on_one_host_is_served_by_another_from_the_bucket(s3_settings, tmp_path, monkeypatch):
    from tasks.adapters import pdf

    other_host = s3_settings.replace(data_dir=tmp_path / "other-host")  # no folder in common, the same bucket
    model = {"number": "B-1", "holder": "张三"}
    monkeypatch.setattr(pdf, "renderer", lambda: type("Stub", (), {"pdf": lambda self, *a, **k: b"%PDF rendered"})())
    first = pdf.cached_pdf(filestore.documents_for(s3_settings), "receipts", "receipt.html", "r", model)
    monkeypatch.setattr(pdf, "renderer", lambda: pytest.fail("the second host rendered it again"))
    assert pdf.cached_pdf(filestore.documents_for(other_host), "receipts", "receipt.html", "r", model) == first
    store = filestore.documents_for(other_host)
    assert store.where == "s3://certflow-files/documents/"
    assert not (tmp_path / "other-host" / "documents").exists()
    names = [o["Key"] for o in store.client.list_objects_v2(Bucket="certflow-files", Prefix="documents/")["Contents"]]
    assert len(names) == 1 and names[0].startswith("documents/receipts/")
    assert store.present([names[0].removeprefix("documents/"), "receipts/none.pdf"]) == {
        names[0].removeprefix("documents/")}
    assert store.read("receipts/none.pdf") is None
