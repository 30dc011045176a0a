"""``annotate_cell_products``: a record's cell products, from its own words, strongest evidence first.

Where the evidence comes from, in order (the first place that names a product decides; later places only fill in):

1. each intervention — its name (score 1.0), other names (0.95), description (0.85), the arms that give it (0.75);
   placebo/sham/vehicle interventions are skipped; one product per intervention, named after it;
2. the title, official title and acronym (0.85/0.8) — only when no intervention names a product; an intervention the
   words did not explain (a code such as "MR-MC-01") receives the title's product and lends it its name;
3. keywords (0.65) and arms (0.7); 4. the summary/description (0.5), sentence by sentence, only sentences that give
   something ("infused", "transplanted" …), never past an "Inclusion/Exclusion criteria" heading.

Eligibility criteria are never read: a stem-cell word there is about who may enrol. Haematopoietic transplants named
only in a title or summary are the patients' setting (drug trials after HSCT are legion), so they count only for a
record that lists no interventions. The product table resolves brands ("CAStem", "FT538"), also when only the title
names the brand. hPSCreg lists pluripotent stem-cell products only: its records always get a pluripotent-derived
product, with the stated cell type kept as stated (its CL id resolved by exact label/synonym).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from ...model import CellProduct, CellTypeTerm, TissueTerm, TrialRecord
from . import brands, details, lexicon, phrases, terms
from .phrases import Found

STEM = ("hesc_derived", "hipsc_derived", "msc", "hsc", "neural_stem_cell", "other_stem")
_RANK = {c: i for i, c in enumerate((*STEM, "extracellular_vesicles", "non_stem_cell_therapy"))}
_PLACEBO = lexicon._words(
    "placebo", "sham", "vehicle", "saline", r"control(?:s|\s+group)?", "mock", r"standard\s+(?:of\s+)?care",
    r"usual\s+care", "conventional", r"best\s+supportive", r"no\s+(?:intervention|treatment|cells?)", "observation",
    "excipient", "diluent", r"sodium\s+chloride", r"plasma-?lyte", r"without\s+cells?", "isotonic", r"ringer'?s?",
    r"(?:phosphate[\s-]+)?buffered\s+saline", r"(?:culture\s+)?medium\s+alone", "vehicle")
# Haematology: "stem cell transplantation" means HSCT here (conditions, conditioning agents, transplant vocabulary).
_HEME = lexicon._words(
    r"leuk(?:a)?emi\w*", "lymphomas?", r"myelomas?", r"myelodysplas\w*", "MDS", "aplastic", r"thalass\w*", "sickle",
    r"immunodeficien\w*", r"h(?:a)?ematolog\w*", "neuroblastomas?", r"germ\s+cell",
    r"graft[\s-]+(?:versus|vs\.?)[\s-]+host",
    "GVHD", r"hodgkin\w*", "fanconi", r"hemoglobinopath\w*", "osteopetrosis", "busulfan", "melphalan", "treosulfan",
    "thiotepa", "fludarabine", r"total\s+body\s+irradiation", "TBI", "conditioning", r"anti-?thymocyte", "ATG",
    r"myeloablat\w*", "engraftment", r"neutropeni\w*")
_HSC_KEYS = frozenset({"hsc", "cd34", "sct", "bmt", "pbsc", "cb_tx"})
_QUALIFIED = re.compile(r"(?i)allo|haplo|sibling|donor|unrelated|related|matched|h(?:a)?emato|cord|peripheral|PBSC|HSC")
_CODE = re.compile(r"\(([A-Z][A-Za-z0-9]*[-_]?[A-Za-z0-9-]{1,15})\)")
_CRITERIA = re.compile(r"(?i)\b(?:inclusion|exclusion|eligibility)\s+criteria\b")
_ORIGIN_HINT = re.compile(r"(?i)pluripot|embryo|parthenogen|\bh?ES|\bh?iPS")
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])|\n+")
_PRODUCT_TYPES = frozenset({"biological", "genetic", "drug", "combination_product", "other", "procedure"})
_VAGUE = frozenset({"CL:0000034", "CL:0011026", "CL:0011115", "CL:0000066", "CL:0000540", "CL:0000048",
                    "CL:0000723", "CL:0000000"})


@dataclass
class Ctx:
    record: TrialRecord
    abbrevs: dict
    hpscreg: bool
    hematology: bool
    research: bool
    conditions: list[str] = field(default_factory=list)

    @cached_property
    def summary(self) -> str:
        """Summary and description up to any eligibility heading (criteria are never evidence), first 4000 chars."""
        r = self.record
        return _CRITERIA.split(f"{r.brief_summary or ''}\n{r.detailed_description or ''}"[:4000], maxsplit=1)[0]


@dataclass
class Draft:
    found: Found | None
    score: float
    name: str | None
    field_text: str
    brand: brands.Brand | None = None
    brand_text: str | None = None
    intervention: int | None = None
    category: str | None = None
    origin: str | None = None


_NO_INTERVENTION = re.compile(r"(?i)[\W_]*(?:not\s+applicable|n/?a|none|no\s+intervention|observation(?:al)?"
                              r"(?:\s+(?:study|cohort))?|[\s(),]+)+[\W_]*")


def _listed(record: TrialRecord) -> bool:
    """Whether the record lists real interventions ("Not Applicable (Observational Study)" is none)."""
    return any(not _NO_INTERVENTION.fullmatch(iv.name) for iv in record.interventions)


def _context(record: TrialRecord) -> Ctx:
    texts = [record.title or "", record.official_title or ""]
    for iv in record.interventions:
        texts += [iv.name, iv.description or "", *iv.other_names]
    abbrevs = phrases.abbreviations([*texts, (record.brief_summary or "")[:3000]])
    conds = [c.text for c in record.conditions] + [m.label for m in record.condition_mesh]
    heme_text = " ".join(conds + [iv.name for iv in record.interventions] + [record.title or ""])
    names = " ".join([record.title or "", record.official_title or "", *(iv.name for iv in record.interventions)])
    observational = record.study_type == "observational"
    hpscreg = record.source.format == "hpscreg_text" or (record.registry or "").lower() == "hpscreg"
    research = False
    research_words = bool(lexicon.RESEARCH.search(names))
    if (observational or research_words) and not hpscreg:  # hPSCreg lists clinical uses of cells only
        follow_up = bool(lexicon.FOLLOW_UP.search(f"{record.title or ''} {record.official_title or ''}"))
        # something is given: a treatment word, or an intervention that is neither a procedure on participants
        # ("skin biopsy") nor laboratory work ("generation of iPS cells") and is a product by type or by its words
        given = bool(lexicon.ADMINISTERED.search(names)) or any(
            ((iv.type or "") in ("biological", "genetic", "drug", "combination_product") or phrases.read(iv.name))
            and not lexicon.NOT_PRODUCT.search(iv.name) and not lexicon.RESEARCH.search(iv.name)
            for iv in record.interventions)
        # laboratory work on cells (disease models, line derivation) — and observational studies that give nothing
        # and follow nobody who was given something: no product is involved
        research = not follow_up and ((research_words and (observational or not given))
                                      or (observational and not given))
    return Ctx(record, abbrevs, hpscreg, bool(_HEME.search(heme_text)), research,
               [*conds, record.title or "", record.official_title or ""])


def _category(f: Found, ctx: Ctx) -> str | None:
    cat = f.category
    head = f.head
    # "stem cell transplantation" / "bone marrow transplantation" mean HSCT in haematology, and bone-marrow cell
    # grafts elsewhere (orthopaedics, cardiology)
    if (head is not None and head.entry.key in ("sct", "bmt") and not f.origin
            and not (ctx.hematology or _QUALIFIED.search(head.text.replace("stem", "").replace("marrow", "")))):
        cat = "other_stem"
    return cat


def _pick(founds: list[Found], ctx: Ctx, *, allow_hsc: bool = True) -> list[Found]:
    out: list[Found] = []
    for f in founds:
        if f.extra.get("head_only"):
            continue
        cat = _category(f, ctx)
        if cat is None:
            continue
        if not allow_hsc and cat == "hsc":
            continue
        if ctx.research:
            continue  # cells studied in a laboratory (disease models, line derivation) are nobody's product
        out.append(f)
    return out


def _arm_texts(record: TrialRecord, name: str) -> str:
    """The descriptions of the arms that give this intervention and nothing else (an arm giving "MSC + standard
    treatment" describes the MSCs, not the standard treatment)."""
    low = name.lower()
    return " ".join(f"{a.label or ''}. {a.description or ''}" for a in record.arms
                    if a.interventions and all(i.lower() == low for i in a.interventions))


def _from_interventions(ctx: Ctx) -> tuple[list[Draft], list[int]]:
    drafts: list[Draft] = []
    unexplained: list[int] = []
    for k, iv in enumerate(ctx.record.interventions):
        name_founds = _pick(phrases.read(iv.name, ctx.abbrevs), ctx)
        if _PLACEBO.search(iv.name) and not name_founds:
            continue
        if lexicon.NOT_PRODUCT.search(iv.name) and not name_founds:
            continue
        others = "; ".join(iv.other_names)
        hits = brands.find(f"{iv.name}; {others}")
        if hits:
            drafts.append(Draft(None, 1.0, iv.name, f"{iv.name}; {others}", hits[0][0], hits[0][1].group(0), k))
            continue
        drug_like = (iv.type or "") in ("drug", "dietary_supplement", "behavioral", "device", "radiation",
                                        "diagnostic_test")
        layers = [(iv.name, 1.0, name_founds), (others, 0.95, None), (iv.description or "", 0.85, None),
                  (_arm_texts(ctx.record, iv.name), 0.75, None)]
        found_one = False
        for text, score, pre in layers:
            founds = pre if pre is not None else _pick(phrases.read(text, ctx.abbrevs), ctx)
            if (score < 0.9 and drug_like) or (score < 0.8 and (iv.type or "") != "procedure"):
                # a drug's description, or an arm, mentioning a transplant or "stem cells" describes the setting
                # ("busulfan … before the stem-cell infusion"), not this product
                founds = [f for f in founds if _category(f, ctx) != "hsc" and f.head is not None
                          and f.head.entry.role != "generic" and f.head.entry.key not in ("sct", "bmt")]
            if founds:
                best = min(founds, key=lambda f: (_RANK.get(_category(f, ctx) or "", 9), f.position))
                drafts.append(Draft(best, score, iv.name, text, intervention=k))
                found_one = True
                break
        if not found_one and (iv.type or "biological") in _PRODUCT_TYPES:
            unexplained.append(k)  # a code ("MR-MC-01", "Drug: ALLO-ASC-DFU"): the title may say what it is
    return drafts, unexplained


def _from_text(texts: list[tuple[str, float]], ctx: Ctx, *, allow_hsc: bool) -> list[Draft]:
    out: list[Draft] = []
    for text, score in texts:
        if not text:
            continue
        hits = brands.find(text)
        if hits:
            return [Draft(None, score, hits[0][1].group(0), text, hits[0][0], hits[0][1].group(0))]
        founds = _pick(phrases.read(text, ctx.abbrevs), ctx, allow_hsc=allow_hsc)
        for f in founds:
            code = _CODE.search(text, f.seg_start)
            name = code.group(1) if code and code.start() - (f.seg_start + len(f.segment)) < 2 else None
            out.append(Draft(f, score, name, text))
        if out:
            return out
    return out


def _from_summary(ctx: Ctx, allow_hsc: bool) -> list[Draft]:
    r = ctx.record
    for text in (r.brief_summary, r.detailed_description):
        if not text:
            continue
        text = _CRITERIA.split(text, maxsplit=1)[0]
        for sent in _SENT.split(text)[:40]:
            if not lexicon.ADMINISTERED.search(sent):
                continue
            drafts = _from_text([(sent, 0.5)], ctx, allow_hsc=allow_hsc)
            drafts = [d for d in drafts if d.brand or (d.found and (_category(d.found, ctx) or "") in STEM)]
            if drafts:
                return drafts[:1]
    return []


def _cell(d: Draft, category: str | None, tissue_id: str | None, ctx: Ctx) -> terms.NamedTerm | None:
    cell = None
    if d.brand and d.brand.cell_type:
        cell = terms.cell_term(d.brand.cell_type)
    f = d.found
    if cell is None and f is not None:
        head = f.head
        if head is not None and head.entry.role == "ev":
            head = f.ev_source
        if head is not None and head.entry.key in ("sct", "bmt") and category == "other_stem":
            # a transplant outside haematology: stem cells of unstated kind, not haematopoietic ones
            cell = terms.cell_term("stem cell") if head.entry.key == "sct" else None
        elif head is not None:
            e = head.entry
            cell = (terms.cell_term(e.cell, e.cell_ontology) if e.cell else None) or terms.cell_in_words(head.text)
        elif f.derived_words:
            cell = terms.cell_in_words(f.derived_words)
    if cell is not None and category == "msc" and tissue_id:
        cell = terms.refine_msc(tissue_id) or cell
    pluripotent = category in ("hesc_derived", "hipsc_derived") or ctx.hpscreg or (d.origin is not None)
    if pluripotent and (cell is None or cell.id in _VAGUE):
        named_progenitor = bool(f and f.head and f.head.entry.role == "generic"
                                and re.search(r"(?i)progenitor|precursor", f.head.text))
        prior = terms.condition_prior(ctx.conditions, progenitor=named_progenitor)
        if prior is not None and (cell is None or terms.is_ancestor(cell.id, prior.id)):
            cell = prior
    return cell


def _build(d: Draft, ctx: Ctx) -> CellProduct:
    f, b, r = d.found, d.brand, ctx.record
    category = d.category or (b.category if b else (_category(f, ctx) if f else None))
    origin = d.origin if d.origin is not None else (b.pluripotent_origin if b else (f.origin if f else None))
    if origin == "":
        origin = None
    iv = r.interventions[d.intervention] if d.intervention is not None else None
    own = [iv.name, *iv.other_names, iv.description or "", _arm_texts(r, iv.name)] if iv else [d.field_text]
    seg = f.segment if f else d.field_text
    # tissue: what the product words imply, then its own phrase, then the rest of its own texts
    tissue_name = None
    if category not in ("hesc_derived", "hipsc_derived") and not (f and f.origin is not None):
        head_entry = f.head.entry if f and f.head else None
        tissue_name = (head_entry.tissue if head_entry else None) or details.tissue(seg)
        for t in own[:-1] if iv else own:  # not the arms: an arm text also describes what else the arm gives
            tissue_name = tissue_name or details.tissue(t)
        tissue_name = tissue_name or (b.source_tissue if b else None)
    pos = f.position - f.seg_start if f else 0
    donor = details.donor_near(seg, pos) if f else None
    for t in own:
        donor = donor or details.donor(t)
    title_find = _title_find(ctx, category) if (donor is None or tissue_name is None) and category else None
    if donor is None and title_find is not None:
        donor = details.donor_near(title_find.segment, title_find.position - title_find.seg_start)
    donor = donor or (b.donor if b else None)
    if tissue_name is None and title_find is not None and category not in ("hesc_derived", "hipsc_derived"):
        tissue_name = (title_find.head.entry.tissue if title_find.head else None) or details.tissue(title_find.segment)
    tissue = terms.tissue_term(tissue_name) if tissue_name else None
    cell = _cell(d, category, tissue.id if tissue else None, ctx)
    texts = [*own, r.title or "", r.official_title or ""]
    route = next((x for x in map(details.routes, texts) if x), None)
    summary = ctx.summary
    dose = next((x for x in map(details.doses, [*own, summary]) if x), None)
    route = route or details.routes(summary[:1500])
    generic = f is not None and (f.head is None or f.head.entry.role == "generic") and not b
    score = round(d.score * (0.8 if generic else 1.0), 2)
    evidence = d.brand_text if b else (f.evidence if f else None)
    return CellProduct(
        name=d.name, category=category, pluripotent_origin=origin,  # type: ignore[arg-type]
        source_tissue=TissueTerm(id=tissue.id, label=tissue.label) if tissue else None,
        donor=donor,  # type: ignore[arg-type]
        cell_type=CellTypeTerm(id=cell.id, label=cell.label, definition=cell.definition) if cell else None,
        route=route, dose=dose, evidence=evidence, score=score)


def _title_find(ctx: Ctx, category: str | None) -> Found | None:
    """The title's product of this category when the title names exactly one: its words may say what the
    intervention's do not (donor, tissue)."""
    for text in (ctx.record.title or "", ctx.record.official_title or ""):
        same = [f for f in _pick(phrases.read(text, ctx.abbrevs), ctx) if _category(f, ctx) == category]
        if len(same) == 1:
            return same[0]
    return None


def _title_origin(ctx: Ctx) -> tuple[str | None, brands.Brand | None]:
    """A pluripotent origin or a table product the title states, to complete intervention products."""
    r = ctx.record
    texts = [t for t in (r.title, r.official_title, r.acronym) if t]
    hits = {b.name: b for t in texts for b, _ in brands.find(t)}
    if len(hits) == 1:
        b = next(iter(hits.values()))
        return b.pluripotent_origin, b
    # most titles name no pluripotent source: a cheap look first, the full reading only when one may be there
    origins = {f.origin for t in texts if _ORIGIN_HINT.search(t) for f in phrases.read(t, ctx.abbrevs) if f.origin}
    return (origins.pop() if len(origins) == 1 else None), None


_SPECIFIC_BM = re.compile(r"(?i)nucle|concentrat|aspirat|MNC|BMAC|BMC")


def _vague(d: Draft, ctx: Ctx) -> bool:
    """An intervention product named only as "stem cells", "stem cell transplantation", "bone marrow cells"."""
    if d.brand is not None or d.found is None:
        return False
    head = d.found.head
    return head is None or head.entry.role == "generic" or (
        head.entry.key in ("sct", "bmt") and _category(d.found, ctx) == "other_stem") or (
        head.entry.key == "bm_cells" and not _SPECIFIC_BM.search(head.text))


def _refine_from_title(drafts: list[Draft], title_texts: list[tuple[str, float]], ctx: Ctx) -> None:
    """"Mesenchymal Stem Cell Transplantation in Osteoarthritis" with the intervention "stem cell": the title says
    what kind of stem cell the intervention's vague words mean (the intervention keeps its name and score)."""
    vague = [d for d in drafts if _vague(d, ctx) and (_category(d.found, ctx) if d.found else None) in STEM]
    if not vague:
        return
    for text, _ in title_texts:
        specific = [f for f in _pick(phrases.read(text, ctx.abbrevs), ctx, allow_hsc=ctx.hematology)
                    if f.head is not None and f.head.entry.role != "generic" and _category(f, ctx) in STEM
                    and _category(f, ctx) != "other_stem"]
        kinds = {_category(f, ctx) for f in specific}
        if len(kinds) == 1:
            for d in vague:
                d.found = specific[0]
            return


def infer(record: TrialRecord) -> list[CellProduct]:
    """The cell products the record's words name (before merging with a registry-stated cell type)."""
    ctx = _context(record)
    drafts, unexplained = _from_interventions(ctx)
    r = record
    title_texts = [(r.title or "", 0.85), (r.official_title or "", 0.8), (r.acronym or "", 0.8)]
    if drafts:
        origin, brand = _title_origin(ctx)
        cell_drafts = [d for d in drafts if (d.category or (d.brand.category if d.brand else None)
                                             or (_category(d.found, ctx) if d.found else None))]
        if len(cell_drafts) == 1 and not cell_drafts[0].brand:
            d = cell_drafts[0]
            cat = _category(d.found, ctx) if d.found else None
            if brand is not None and (cat in (brand.category, "msc", "other_stem", "non_stem_cell_therapy")):
                d.brand, d.brand_text = brand, brand.name
                d.category = brand.category
            elif origin and d.found and d.found.origin is None and cat != "extracellular_vesicles":
                d.origin = origin
                d.category = "hesc_derived" if origin == "hESC" else "hipsc_derived"
        _refine_from_title(drafts, title_texts, ctx)
        if not any((d.brand.category if d.brand else _category(d.found, ctx) if d.found else None) in STEM
                   for d in drafts):
            # "Autologous MSCs vs. Chondrocytes": the interventions named only the comparator in words
            extra = [d for d in _from_text(title_texts, ctx, allow_hsc=False)
                     if (d.brand.category if d.brand else _category(d.found, ctx) if d.found else None) in STEM]
            if extra and unexplained:
                extra[0].intervention, extra[0].name = unexplained[0], r.interventions[unexplained[0]].name
            drafts += extra
    else:
        listed = _listed(r)
        drafts = _from_text(title_texts, ctx, allow_hsc=not listed)
        # keywords and arms are weaker: with interventions listed, only specific product words count there
        weak = [(k, 0.65) for k in r.keywords] + [(f"{a.label or ''}: {a.description or ''}", 0.7) for a in r.arms]
        drafts = drafts or [d for d in _from_text(weak, ctx, allow_hsc=not listed)
                            if not listed or d.brand or (d.found and d.found.head is not None
                                                                  and d.found.head.entry.role != "generic")]
        drafts = drafts or _from_summary(ctx, allow_hsc=False)  # a transplant in a summary is the setting
        if drafts and len(unexplained) >= 1:
            # the one intervention the words did not explain is what the title describes
            d = drafts[0]
            d.intervention, d.name = unexplained[0], r.interventions[unexplained[0]].name
    products = [_build(d, ctx) for d in drafts]
    if ctx.hpscreg:
        products = _pluripotent_scope(products, ctx)
    return _dedupe(products)


def _pluripotent_scope(products: list[CellProduct], ctx: Ctx) -> list[CellProduct]:
    """hPSCreg registers pluripotent stem-cell products only: whatever a record names is pluripotent-derived."""
    out = []
    for p in products:
        if p.category in ("non_stem_cell_therapy", None) and not p.pluripotent_origin:
            p = p.model_copy(update={"category": "other_stem", "source_tissue": None})
        out.append(p)
    if out:
        return out
    r = ctx.record
    text = r.title or ""
    cell = None
    evidence = None
    for f in phrases.read(text, ctx.abbrevs):
        if f.head is None and f.mentions:
            m = f.mentions[-1]
            cell = terms.cell_term(m.entry.cell, m.entry.cell_ontology) if m.entry.cell else terms.cell_in_words(m.text)
            evidence = m.text
            break
    if cell is None or cell.id in _VAGUE:
        cell = terms.condition_prior(ctx.conditions) or cell
    code = _CODE.search(text)
    return [CellProduct(
        name=code.group(1) if code else None, category="other_stem",
        cell_type=CellTypeTerm(id=cell.id, label=cell.label, definition=cell.definition) if cell else None,
        route=next((x for x in map(details.routes, [text, r.official_title or ""]) if x), None),
        evidence=evidence or "hPSCreg: a pluripotent stem cell-derived product", score=0.3)]


def _base_cell(p: CellProduct) -> str | None:
    """The cell type without its tissue refinement (a BM-MSC and an MSC of unstated tissue may be one product)."""
    if p.cell_type is None or p.cell_type.id is None:
        return None
    msc = terms.cell_term("mesenchymal stem cell")
    if msc and p.cell_type.id != msc.id and terms.is_ancestor(msc.id, p.cell_type.id, limit=2):
        return msc.id
    return p.cell_type.id


def _dedupe(products: list[CellProduct]) -> list[CellProduct]:
    """One entry per distinct product: "MSC low dose" and "MSC high dose" are one product given at two doses (kept
    together in ``dose``); autologous and allogeneic MSCs, or MSCs and MSC exosomes, are two."""
    seen: dict[tuple, int] = {}
    out: list[CellProduct] = []
    for p in products:
        base = _base_cell(p)
        key = (p.category, base, p.pluripotent_origin, p.donor)
        tissue = p.source_tissue.id if p.source_tissue else None
        k = next((i for (kk, t), i in seen.items() if kk == key and (t == tissue or t is None or tissue is None)),
                 None)
        if k is not None:
            keep, other = (out[k], p) if out[k].source_tissue or not p.source_tissue else (p, out[k])
            doses = [d for d in (keep.dose or "").split("; ") if d]
            for d in (other.dose or "").split("; "):
                if d and d not in doses and len(doses) < 3:
                    doses.append(d)
            out[k] = keep.model_copy(update={"dose": "; ".join(doses) or None, "route": keep.route or other.route,
                                             "name": out[k].name, "score": max(keep.score or 0, other.score or 0)})
            seen = {kt: i for kt, i in seen.items() if i != k}
            seen[(key, out[k].source_tissue.id if out[k].source_tissue else None)] = k
            continue
        seen[(key, tissue)] = len(out)
        out.append(p)
    order = sorted(range(len(out)), key=lambda i: (_RANK.get(out[i].category or "", 9) >= len(STEM),
                                                   -(out[i].score or 0), i))
    return [out[i] for i in order]
