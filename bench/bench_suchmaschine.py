"""Which search engine: the product's SQLite FTS5 index against tantivy, on the same generated Ablage.

    python bench/bench_suchmaschine.py [--anzahl 100000] [--ordner DIR]

Issue 14 asks to choose the engine by measurement. This benchmark builds both over the same Vorgänge
(generated as in ``bench_suche.py``; ``--ordner`` reuses them) and prints, side by side and measured in
the same run: build time and peak memory (each in its own child process), index size, query time
p50/p95 over the same query mix (each
engine returning the best 20 with a text snippet), and which of the German cases the issue names each engine finds out
of the box. tantivy (``pip install tantivy``) runs with its own German analyzer (simple tokenizer,
lowercase, ASCII folding, Snowball German stemmer); it is a benchmark-only dependency and the benchmark
says so when it is missing. The floor is reading every text file once.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_suche import QUERIES, _sampled, generate  # noqa: E402

# (query, text that must be found) – the German cases of issue 14, in one small test Ablage.
GERMAN_CASES = [
    ("Buergeramt", "Bürgeramt"),
    ("Burgeramt", "Bürgeramt"),
    ("Strasse", "Straße"),
    ("Antrag", "Anträge"),
    ("Bescheinigungen", "Bescheinigung"),
    ("Parkausweis", "Anwohnerparkausweis"),
    ("Schwerbehind*", "Schwerbehindertenausweis"),
    ('"Sperrmüll anmelden"', "Sperrmüll anmelden"),
    ("Oezdemir", "Özdemir"),
]
PLANTED = "Frau Özdemir fragt im Bürgeramt in der Straße nach Anträgen, ihrer Bescheinigung, dem " \
    "Anwohnerparkausweis und dem Schwerbehindertenausweis; außerdem möchte sie Sperrmüll anmelden."  # fmt: skip


def _documents(root: Path) -> Iterator[tuple[str, str, str]]:
    """(Aktenzeichen, Betreff, all texts) of every Vorgang, one at a time: what both engines index."""
    for meta in root.rglob("vorgang.json"):
        data = json.loads(meta.read_text(encoding="utf-8"))
        parts = [data.get("absender", {}).get("name") or "", data.get("absender", {}).get("email") or ""]
        for p in sorted((meta.parent / "Nachrichten").glob("*.txt")):
            parts.append(p.read_text(encoding="utf-8", errors="replace"))
        verlauf = meta.parent / "verlauf.txt"
        if verlauf.exists():
            parts.append(verlauf.read_text(encoding="utf-8", errors="replace"))
        yield data["aktenzeichen"], data.get("betreff") or "", "\n".join(parts)


def _tantivy_index(path: Path):  # type: ignore[no-untyped-def]
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("az", stored=True, tokenizer_name="raw")
    sb.add_text_field("betreff", stored=True, tokenizer_name="de")
    sb.add_text_field("text", stored=True, tokenizer_name="de")
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(sb.build(), path=str(path))
    analyzer = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("german"))
        .build()
    )
    index.register_tokenizer("de", analyzer)
    return index


def _build_tantivy(root: str, target: str) -> None:
    import tantivy

    start = time.perf_counter()
    index = _tantivy_index(Path(target))
    writer = index.writer(heap_size=50_000_000, num_threads=1)
    for az, betreff, text in _documents(Path(root)):
        writer.add_document(tantivy.Document(az=az, betreff=betreff, text=text))
    writer.add_document(tantivy.Document(az="TEST-1", betreff="Testfall", text=PLANTED))
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - start
    print(json.dumps({"s": seconds}))


def _build_fts5(root: str) -> None:
    from buero_ticket.ablage import open_ablage
    from buero_ticket.index import Index
    from buero_ticket.store import Store
    from buero_ticket.suche.volltext import Volltext

    index = Index(Store(open_ablage(Path(root))))
    index.refresh()  # nothing to do: bench_suche's refresh child did it
    start = time.perf_counter()
    vt = Volltext(index)
    vt.update()
    seconds = time.perf_counter() - start
    print(json.dumps({"s": seconds, "file": str(vt.path)}))


def _child(*args: str) -> dict[str, Any]:
    """A build in a child process; its memory (with its worker processes) sampled as in bench_suche."""
    stdout, sampler = _sampled([sys.executable, __file__, *args])
    return {**json.loads(stdout.strip().splitlines()[-1]), "pss_mb": sampler.peak_pss / 1024}


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _quantiles(times: list[float]) -> str:
    return f"p50 {statistics.median(times):.1f} ms, p95 {statistics.quantiles(times, n=20)[-1]:.1f} ms"


def _fts5_cases(work: Path) -> list[bool]:
    """The German cases through the product's CLI: one Vorgang with the planted text among decoys."""
    env = {**os.environ, "BUERO_TICKET_CACHE": str(work / "cache-klein")}
    ablage = work / "klein"
    cli = [sys.executable, "-m", "buero_ticket"]
    subprocess.run([*cli, "init", str(ablage)], capture_output=True, check=True, env=env)
    texts = [
        ("Testfall", PLANTED),
        ("Hundesteuer", "Wie melde ich meinen Hund an?"),
        ("Termin", "Ich brauche einen Termin."),
    ]
    for betreff, text in texts:
        subprocess.run(
            [*cli, "--ablage", str(ablage), "neu", "--kanal", "Telefon", "--betreff", betreff, "--von", "Bürger",
             "--text", text], capture_output=True, check=True, env=env,
        )  # fmt: skip
    found = []
    for q, _ in GERMAN_CASES:
        out = subprocess.run([*cli, "--ablage", str(ablage), "suche", "--json", q], capture_output=True, env=env)
        rows = json.loads(out.stdout or b"[]")
        found.append(any(r["betreff"] == "Testfall" for r in rows))
    return found


def _tantivy_cases(work: Path) -> list[bool]:
    import tantivy

    index = _tantivy_index(work / "tantivy-klein")
    writer = index.writer(heap_size=15_000_000, num_threads=1)
    writer.add_document(tantivy.Document(az="TEST-1", betreff="Testfall", text=PLANTED))
    writer.add_document(tantivy.Document(az="TEST-2", betreff="Hundesteuer", text="Wie melde ich meinen Hund an?"))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()
    found = []
    for q, _ in GERMAN_CASES:
        query = index.parse_query_lenient(q, ["betreff", "text"])[0]
        hits = searcher.search(query, 10).hits
        found.append(any(searcher.doc(addr)["az"][0] == "TEST-1" for _, addr in hits))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--anzahl", type=int, default=100_000)
    parser.add_argument("--ordner", type=Path, default=None, help="Ablage hier behalten/wiederverwenden")
    args = parser.parse_args()
    try:
        import tantivy
    except ImportError:
        sys.exit("tantivy fehlt: pip install tantivy (nur für diesen Vergleich nötig)")
    base = args.ordner or Path(tempfile.mkdtemp(prefix="bench-suchmaschine-"))
    root = base / f"ablage-{args.anzahl}"
    if not (root / "generiert.ok").exists():
        shutil.rmtree(root, ignore_errors=True)
        generate(root, args.anzahl)
    work = Path(tempfile.mkdtemp(prefix="suchmaschine-"))
    os.environ["BUERO_TICKET_CACHE"] = str(work / "cache")
    os.environ["BUERO_TICKET_REGISTER"] = "aus"

    t = time.perf_counter()
    for p in root.rglob("*.txt"):
        p.read_bytes()
    floor = time.perf_counter() - t
    print(f"{args.anzahl:,} Vorgänge; Boden: alle Textdateien einmal lesen {floor:.1f} s".replace(",", "."))

    refresh = [sys.executable, str(Path(__file__).with_name("bench_suche.py")), "--_refresh", str(root)]
    subprocess.run(refresh, check=True)  # the metadata cache first (not measured)
    fts = _child("--_fts5", str(root))
    tv = _child("--_tantivy", str(root), str(work / "tantivy"))

    from buero_ticket.ablage import open_ablage
    from buero_ticket.index import Index
    from buero_ticket.store import Store
    from buero_ticket.suche.volltext import Volltext

    index = Index(Store(open_ablage(root)))
    index.refresh()
    vt = Volltext(index)
    vt.update()
    tindex = _tantivy_index(work / "tantivy")
    tindex.reload()
    searcher = tindex.searcher()
    ft, tt = [], []
    for _ in range(3):
        for q in QUERIES:
            s = time.perf_counter()
            vt.suche(q)
            ft.append((time.perf_counter() - s) * 1000)
            s = time.perf_counter()
            query = tindex.parse_query_lenient(q, ["betreff", "text"], field_boosts={"betreff": 3.0})[0]
            snippets = tantivy.SnippetGenerator.create(searcher, query, tindex.schema, "text")
            for _, addr in searcher.search(query, 20).hits:
                snippets.snippet_from_doc(searcher.doc(addr)).to_html()
            tt.append((time.perf_counter() - s) * 1000)
    fts_cases = _fts5_cases(work)
    tv_cases = _tantivy_cases(work)
    fts_size = _size(Path(fts["file"]))
    tv_size = _size(work / "tantivy")
    rows = [
        ("", "SQLite FTS5 (Produkt)", "tantivy (Deutsch)"),
        ("Aufbau", f"{fts['s']:.1f} s", f"{tv['s']:.1f} s"),
        ("Spitze Speicher (Summe PSS)", f"{fts['pss_mb']:.0f} MB", f"{tv['pss_mb']:.0f} MB"),
        ("Indexgröße", f"{fts_size / 1e6:.0f} MB", f"{tv_size / 1e6:.0f} MB"),
        ("Abfrage (20 Treffer, Ausschnitt)", _quantiles(ft), _quantiles(tt)),
    ]
    for label, a, b in rows:
        print(f"{label:34}{a:>26}{b:>26}")
    for (q, want), in_fts, in_tv in zip(GERMAN_CASES, fts_cases, tv_cases, strict=True):
        case = f"{q} → {want}"
        print(f"  {case:42}{'gefunden' if in_fts else 'NICHT':>16}{'gefunden' if in_tv else 'NICHT':>26}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--_fts5":
        _build_fts5(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "--_tantivy":
        _build_tantivy(sys.argv[2], sys.argv[3])
    else:
        main()
