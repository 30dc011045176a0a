"""hPSCreg clinical-study text: seed 000 (ChiCTR2000031139) field by field, edited variants, the 92 scraped records."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest

from stemtrials import vocab
from stemtrials.model import TrialRecord
from stemtrials.sources import hpscreg_text
from stemtrials.sources.base import ImportProblem, Parsed, SourceError, derived_id

SEED = "seeds/000_c4e1eefd5bb6b75c.txt"
TITLE = ("Safety and Effectiveness of Human embryonic stem cell-derived M cells (CAStem) for Pulmonary Fibrosis "
         "Correlated with novel coronavirus pneumonia (COVID-19)")
COVID = ("A Coronavirus infectious disease that is characterized by fever, cough and shortness of breath and that "
         "has_material_basis_in SARS-CoV-2.")


@pytest.fixture(scope="module")
def seed_text(shared: Path) -> str:
    return (shared / SEED).read_text(encoding="utf-8")


def read_all(text: str | bytes, origin: str = "record.txt") -> list[Parsed | ImportProblem]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return list(hpscreg_text.read(io.BytesIO(data), origin))


def parse(text: str) -> TrialRecord:
    out = read_all(text)
    assert len(out) == 1, out
    assert isinstance(out[0], Parsed), out[0]
    return out[0].record


def edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


# ---------------------------------------------------------------- the seed, every field
def test_seed_000_every_field(shared: Path, seed_text: str) -> None:
    out = read_all(seed_text, origin=str(shared / SEED))
    assert len(out) == 1 and isinstance(out[0], Parsed)
    assert out[0].position == "record 1"
    r = out[0].record

    assert r.id == "ChiCTR2000031139"
    assert r.registry == "ChiCTR"
    assert [(x.id, x.registry, x.kind) for x in r.registry_ids] == [("ChiCTR2000031139", "ChiCTR", "primary")]
    assert r.unidentified is False
    assert r.title == TITLE
    assert r.official_title is None and r.acronym is None and r.brief_summary is None
    assert r.phases == ["other"]
    assert r.study_type is None
    d = r.dates
    assert (d.start.date, d.start.type) == ("2020-03-20", "estimated")
    assert (d.completion.date, d.completion.type) == ("2021-03-19", "estimated")
    assert d.primary_completion is None and d.first_posted is None and d.last_update is None and d.verified is None
    assert [(c.text, c.description, c.terms) for c in r.conditions] == [("COVID-19", COVID, [])]

    assert len(r.cell_products) == 1
    p = r.cell_products[0]
    assert p.name == "CAStem"
    assert (p.category, p.pluripotent_origin) == ("hesc_derived", "hESC")
    assert p.evidence == "Human embryonic stem cell"
    assert p.score is None and p.source_tissue is None and p.donor is None and p.route is None and p.dose is None
    assert p.cell_type.id is None
    assert p.cell_type.label == "mesenchymal stem cell"
    assert p.cell_type.definition.startswith("A connective tissue cell that normally gives rise to other cells that "
                                             "are organized as three-dimensional masses. In humans,")
    assert p.cell_type.definition.endswith("laminin-receptor 1, cyclophilin A, and MMP-2.")
    assert p.cell_type.definition == next(
        line[len("Description "):] for line in seed_text.splitlines() if line.startswith("Description A connective"))

    assert [c.model_dump(exclude_none=True) for c in r.contacts] == [
        {"role": "public_contact", "name": "Liu Ying", "first_name": "Liu", "last_name": "Ying",
         "phone": "+8627-85509088", "city": "Wuhan", "address": "1 Yintan Road, Dongxihu District, Wuhan, Hubei, China"}
    ]
    assert [(s.name, s.role) for s in r.sponsors] == [("Wuhan Jinyintan Hospital (Wuhan Infectious Diseases Hospital)",
                                                       "lead")]
    assert (r.status, r.status_raw, r.last_known_status) == ("recruiting", "Recruiting", None)
    assert (r.enrollment.count, r.enrollment.type) == (20, "estimated")
    e = r.eligibility
    assert (e.min_age_years, e.max_age_years, e.sex, e.inclusion, e.exclusion) == (None, None, None, [], [])
    assert r.locations == [] and r.keywords == [] and r.arms == [] and r.interventions == []
    assert r.source.format == "hpscreg_text"
    assert r.source.url is None
    assert r.source.file == f"{shared / SEED}#record 1"


def test_seed_000_agrees_with_the_hpscreg_scrape(shared: Path, seed_text: str) -> None:
    with open(shared / "data/hpscreg/hpscreg_trials_scrape.tsv", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f, delimiter="\t") if r["url"].endswith("/trial/78"))
    r = parse(seed_text)
    assert r.title == row["estudio_clinico"]
    assert r.phases == vocab.phases(row["fase_estudio_clinico"])
    assert r.cell_products[0].cell_type.label == row["tipo_celula"]
    assert r.enrollment.count == int(row["n_participantes"])
    assert (r.dates.start.date, r.dates.completion.date) == (row["fecha_inicio"], row["fecha_conclusion"])


# ---------------------------------------------------------------- edited variants
def test_variant_phase_actual_dates_and_status(seed_text: str) -> None:
    r = parse(edit(
        seed_text,
        ("Clinical trials phase Other", "Clinical trials phase Phases 1/2"),
        ("Start date (estimated) 2020-03-20", "Start date (actual) 2020-04-02"),
        ("End date (estimated) 2021-03-19", "End date (actual) 2021-12"),
        ("Recruitment Status Recruiting", "Recruitment Status Completed"),
        ("Estimated number of participants 20", "Actual number of participants 18"),
    ))
    assert r.phases == ["phase1", "phase2"]
    assert (r.dates.start.date, r.dates.start.type) == ("2020-04-02", "actual")
    assert (r.dates.completion.date, r.dates.completion.type) == ("2021-12", "actual")
    assert (r.status, r.status_raw) == ("completed", "Completed")
    assert (r.enrollment.count, r.enrollment.type) == (18, "actual")


def test_variant_two_conditions(seed_text: str) -> None:
    # As two "Clinical feature" blocks …
    added = "Clinical feature\nLabel pulmonary fibrosis\nDescription A lung disease.\n\nAdministrative Information"
    r = parse(edit(seed_text, ("Administrative Information", added)))
    assert [(c.text, c.description) for c in r.conditions] == [("COVID-19", COVID),
                                                               ("pulmonary fibrosis", "A lung disease.")]
    # … or as two Label/Description pairs under one heading; a description may be absent.
    r = parse(edit(seed_text, (f"Description {COVID}\n", f"Description {COVID}\nLabel pulmonary fibrosis\n")))
    assert [(c.text, c.description) for c in r.conditions] == [("COVID-19", COVID), ("pulmonary fibrosis", None)]


def test_variant_two_identifiers(seed_text: str) -> None:
    r = parse(edit(seed_text, ("Other study identifiers\nName ChiCTR2000031139",
                               "Other study identifiers\nName NCT04331613\nDescription ClinicalTrials.gov\n"
                               "Other study identifiers\nName ChiCTR2000031139")))
    assert (r.id, r.registry, r.unidentified) == ("NCT04331613", "ClinicalTrials.gov", False)
    assert [(x.id, x.registry, x.kind) for x in r.registry_ids] == [
        ("NCT04331613", "ClinicalTrials.gov", "primary"), ("ChiCTR2000031139", "ChiCTR", "secondary")]
    assert r.source.url == "https://clinicaltrials.gov/study/NCT04331613"
    # Name/Description pairs repeated under a single heading read the same; an org ID is never the primary.
    r = parse(edit(seed_text, ("Other study identifiers\nName ChiCTR2000031139",
                               "Other study identifiers\nName CAStem-2020-01\nDescription Sponsor's study ID\n"
                               "Name ChiCTR2000031139")))
    assert [(x.id, x.registry, x.kind) for x in r.registry_ids] == [
        ("ChiCTR2000031139", "ChiCTR", "primary"), ("CAStem-2020-01", None, "org_study")]


def test_variant_no_identifier_is_unidentified(seed_text: str) -> None:
    text = edit(seed_text, ("Other study identifiers\nName ChiCTR2000031139\nDescription Chinese Clinical Trial "
                            "Registry (ChiCTR)\n", ""))
    r = parse(text)
    assert r.unidentified is True
    assert r.registry == "hPSCreg"
    assert r.registry_ids == []
    assert r.id == derived_id(TITLE, "Wuhan Jinyintan Hospital (Wuhan Infectious Diseases Hospital)", "2020-03-20")
    assert r.id.startswith("ST-") and parse(text).id == r.id  # stable across imports
    assert r.title == TITLE and r.cell_products[0].name == "CAStem"
    # The ICTRP link, when the copy kept it, still names the trial.
    r = parse(edit(text, ("ICTRP weblink", "ICTRP weblink https://trialsearch.who.int/Trial2.aspx?TrialID="
                                           "ChiCTR2000031139")))
    assert (r.id, r.registry, r.unidentified) == ("ChiCTR2000031139", "ChiCTR", False)
    assert r.source.url == "https://trialsearch.who.int/Trial2.aspx?TrialID=ChiCTR2000031139"


def test_variant_ipsc_title_and_extra_fields(seed_text: str) -> None:
    r = parse(edit(
        seed_text,
        (TITLE, "Exploratory Study on the Treatment of ARDS in Children with Exosomes Derived from Induced Pluripotent "
                "Stem Cells (iPSC-Exo)"),
        ("Clinical trials phase Other", "Clinical trials phase Phase 2\nTrial type Interventional study"),
        ("City Wuhan\n", "City Wuhan\nCountry China\n"),
        ("Sponsors Wuhan", "Scientific contact\nScientific email li@example.org\nFirst name Li\nLast name Wei\n"
                           "Sponsors Wuhan"),
        ("Estimated number of participants 20", "Estimated number of participants 28\nMinimum age 1 Year\n"
                                                "Maximum age 12 Years\nGender Both\nCountries China; Japan"),
        ("Contact institutions/departments", "Contact institutions/departments Department of Respiratory Medicine"),
    ))
    p = r.cell_products[0]
    assert (p.name, p.category, p.pluripotent_origin, p.evidence) == (
        "iPSC-Exo", "hipsc_derived", "hiPSC", "Induced Pluripotent Stem Cells")
    assert r.phases == ["phase2"] and r.study_type == "interventional"
    assert (r.eligibility.min_age_years, r.eligibility.max_age_years, r.eligibility.sex) == (1.0, 12.0, "all")
    assert r.countries() == ["China", "Japan"]
    assert [(c.role, c.name, c.email, c.affiliation) for c in r.contacts] == [
        ("public_contact", "Liu Ying", None, "Department of Respiratory Medicine"),
        ("scientific_contact", "Li Wei", "li@example.org", None),
    ]
    assert r.enrollment.count == 28


def test_variant_without_pluripotent_words(seed_text: str) -> None:
    r = parse(edit(seed_text, (TITLE, "Treating Parkinson's Disease Through Transplantation of Dopaminergic Neurons")))
    p = r.cell_products[0]
    assert (p.name, p.category, p.pluripotent_origin, p.evidence) == (None, None, None, None)
    assert p.cell_type.label == "mesenchymal stem cell"


def test_two_records_in_one_file(seed_text: str) -> None:
    other = edit(seed_text, ("ChiCTR2000031139", "ChiCTR2000099999"), (TITLE, "A second study"))
    out = read_all(seed_text + "\n" + other)
    assert [o.position for o in out] == ["record 1", "record 2"]
    assert [o.record.id for o in out] == ["ChiCTR2000031139", "ChiCTR2000099999"]
    assert [o.record.title for o in out] == [TITLE, "A second study"]
    assert out[1].raw.decode().startswith("A second study")


# ---------------------------------------------------------------- every scraped hPSCreg study, in the seed's layout
def scrape_rows(shared: Path) -> list[dict[str, str]]:
    with open(shared / "data/hpscreg/hpscreg_trials_scrape.tsv", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_all_scraped_studies(shared: Path) -> None:
    """The 92 studies of the hPSCreg scrape, written in the record layout with their real values, read back."""
    rows = scrape_rows(shared)
    assert len(rows) == 92
    categories = set()
    for k, row in enumerate(rows):
        lines = [row["estudio_clinico"], "", "General Information", ""]
        lines += [f"Clinical trials phase {row['fase_estudio_clinico']}"] if row["fase_estudio_clinico"] else []
        lines += [f"Trial type {row['tipo_estudio']}"] if row["tipo_estudio"] else []
        lines += [f"Start date (estimated) {row['fecha_inicio']}"] if row["fecha_inicio"] else []
        lines += [f"End date (estimated) {row['fecha_conclusion']}"] if row["fecha_conclusion"] else []
        for label in (row["condicion_primaria_estudio"], row["condicion_secundaria_estudio"]):
            lines += ["Clinical feature", f"Label {label}"] if label else []
        lines += ["", "Administrative Information", "", "Other study identifiers", f"Name NCT{90000000 + k:08d}"]
        lines += ["Which differentiated cell type is used", f"Label {row['tipo_celula']}"] if row["tipo_celula"] else []
        lines += [f"Estimated number of participants {row['n_participantes']}"] if row["n_participantes"] else []
        lines += [f"Minimum age {row['edad_min_participante']}"] if row["edad_min_participante"] else []
        lines += [f"Maximum age {row['edad_max_participante']}"] if row["edad_max_participante"] else []
        lines += [f"Gender {row['genero_participante']}"] if row["genero_participante"] else []
        lines += [f"Countries {row['pais']}"] if row["pais"] else []
        r = parse("\n".join(lines))
        assert r.id == f"NCT{90000000 + k:08d}" and r.registry == "ClinicalTrials.gov"
        assert r.title == row["estudio_clinico"]
        assert r.phases == vocab.phases(row["fase_estudio_clinico"] or None)
        assert r.study_type == vocab.study_type(row["tipo_estudio"] or None)
        assert r.dates.start.date == row["fecha_inicio"]
        assert (r.dates.completion.date if r.dates.completion else "") == row["fecha_conclusion"]
        assert [c.text for c in r.conditions] == [x for x in (row["condicion_primaria_estudio"],
                                                              row["condicion_secundaria_estudio"]) if x]
        assert r.enrollment.count == (int(row["n_participantes"]) if row["n_participantes"] else None)
        assert r.eligibility.min_age_years == (float(row["edad_min_participante"]) if row["edad_min_participante"]
                                               else None)
        assert r.eligibility.max_age_years == (float(row["edad_max_participante"]) if row["edad_max_participante"]
                                               else None)
        assert r.eligibility.sex == vocab.sex(row["genero_participante"] or None)
        assert r.countries() == ([row["pais"]] if row["pais"] else [])
        if row["tipo_celula"]:
            assert r.cell_products[0].cell_type.label == row["tipo_celula"]
            categories.add(r.cell_products[0].category)
            low = row["estudio_clinico"].lower()
            if "induced pluripotent" in low and "embryonic" not in low:
                assert r.cell_products[0].category == "hipsc_derived"
            if "embryonic stem" in low and "induced pluripotent" not in low:
                assert r.cell_products[0].category == "hesc_derived"
        else:
            assert r.cell_products == []
    assert {"hesc_derived", "hipsc_derived"} <= categories


# ---------------------------------------------------------------- sniffing and bad input
def test_sniff(shared: Path, seed_text: str) -> None:
    assert hpscreg_text.sniff(seed_text.encode(), "000.txt")
    assert hpscreg_text.sniff(b"\xef\xbb\xbf \n\n" + seed_text.encode(), "x")
    others = [
        shared / "seeds/004_e65ca66711663aaa.txt",
        *sorted((shared / "data/ctgov/v2").glob("*.json"))[:3],
        *sorted((shared / "data/ctgov/legacy_xml").glob("*.xml"))[:3],
        *sorted((shared / "data/ctgov/csv_export").glob("*.csv")),
        shared / "data/ictrp/ChiCTR2000034346.xml",
        shared / "data/hpscreg/hpscreg_trials_scrape.tsv",
    ]
    for path in others:
        assert not hpscreg_text.sniff(path.read_bytes()[:65536], path.name), path
    with gzip.open(shared / "data/ictrp/COVID19-927-trials_7Apr2020.csv.gz") as f:
        assert not hpscreg_text.sniff(f.read(65536), "x.csv")
    assert not hpscreg_text.sniff(b'{"id": "X", "registry_ids": [], "source": {}}', "x.jsonl")
    assert not hpscreg_text.sniff(b"", "x")


def test_not_a_record_raises_source_error() -> None:
    with pytest.raises(SourceError):
        read_all("Some title\nClinical trials phase Other\n")
    with pytest.raises(SourceError):
        read_all(b"\x00\x01\x02" * 100)


@pytest.mark.parametrize("cut", [0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 0.95])
def test_truncated_record_never_crashes(seed_text: str, cut: float) -> None:
    try:
        out = read_all(seed_text[: int(len(seed_text) * cut)])
    except SourceError:
        return
    for item in out:
        assert isinstance(item, (Parsed, ImportProblem))
        if isinstance(item, Parsed):
            assert item.record.id


def test_garbled_values_give_nulls_not_errors(seed_text: str) -> None:
    r = parse(edit(seed_text, ("Start date (estimated) 2020-03-20", "Start date (estimated) soon"),
                   ("Estimated number of participants 20", "Estimated number of participants many"),
                   ("Clinical trials phase Other", "Clinical trials phase")))
    assert r.dates.start is None and r.enrollment.count is None and r.phases == []


def test_stream_failing_while_read_raises_source_error(seed_text: str) -> None:
    data = gzip.compress(seed_text.encode())
    broken = gzip.GzipFile(fileobj=io.BytesIO(data[: len(data) // 2]))
    with pytest.raises(SourceError):
        list(hpscreg_text.read(broken, "broken.txt.gz"))


def test_values_on_the_line_below_their_labels(seed_text: str) -> None:
    """A copy that put each value under its label (and wrapped a long description) reads the same."""
    lines = []
    for line in seed_text.splitlines():
        for label in ("Clinical trials phase", "Start date (estimated)", "Sponsors", "Recruitment Status", "Phone"):
            if line.startswith(label + " "):
                line = label + "\n" + line[len(label) + 1:]
        lines.append(line)
    text = "\n".join(lines).replace("and that has_material_basis_in", "and that\nhas_material_basis_in")
    assert "Sponsors\nWuhan Jinyintan" in text
    r, seed = parse(text), parse(seed_text)
    assert r.model_dump(exclude={"source"}) == seed.model_dump(exclude={"source"})
    assert r.conditions[0].description == COVID
