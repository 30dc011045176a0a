"""One synthetic record at a time: a real template (CT.gov v2 study or ICTRP trial) with fresh IDs and perturbed
content, or a stem-cell trial's real content in a template's structure (bench/gen_corpus.py describes the recipe)."""

from __future__ import annotations

import math
import random
from typing import Any
from xml.sax.saxutils import escape

from corpus_text import (
    DIGITS,
    DatedModule,
    dumps,
    fresh_digits,
    numbered,
    scaled,
    shift_any_date,
    shift_dates,
    substitute,
    swap_words,
    title_case,
    with_sites,
)
from corpus_vocab import STEM_LIKE, ConditionSet, StemContent, Vocabulary

NCT_BASE = 90_000_000  # synthetic v2 studies are NCT90000000, NCT90000001, …
# Protocol modules rewritten per study; every other module (and section) of a template is serialized once.
DYNAMIC = ("identificationModule", "statusModule", "sponsorCollaboratorsModule", "descriptionModule",
           "conditionsModule", "designModule", "armsInterventionsModule", "eligibilityModule",
           "contactsLocationsModule")
# Where a non-stem-cell study's conditions come from, with weights.
CONDITION_SOURCES = (("v2", 0.30), ("mesh", 0.50), ("mondo", 0.15), ("ictrp", 0.05))


# ---------------------------------------------------------------- v2
class V2Template:
    """A real v2 study, with its unchanging parts serialized once."""

    def __init__(self, study: dict[str, Any]) -> None:
        self.study = study
        self.ps: dict[str, Any] = study["protocolSection"]
        self.static = {k: dumps(v) for k, v in self.ps.items() if k not in DYNAMIC}
        self.status = DatedModule(self.ps["statusModule"])
        self._unchanged: dict[str, str] = {}  # dynamic modules a study left as they were, serialized once
        self.sections = [(k, None if k in ("protocolSection", "derivedSection") else dumps(v))
                         for k, v in study.items()]
        derived = study.get("derivedSection") or {}
        self.derived_static = {k: dumps(v) for k, v in derived.items() if k != "conditionBrowseModule"}
        # The browse module's other parts (ancestors, leaves, branches) are kept as the template has them: the
        # importer reads only "meshes".
        browse = derived.get("conditionBrowseModule") or {}
        self.browse_rest = ",".join(f'"{k}":{dumps(v)}' for k, v in browse.items() if k != "meshes")
        self.has_browse = "conditionBrowseModule" in derived
        self.conditions = tuple(self.ps.get("conditionsModule", {}).get("conditions", []))
        self.study_type = self.ps.get("designModule", {}).get("studyType")

    def module_json(self, key: str, modules: dict[str, Any]) -> str:
        if key in self.static:
            return self.static[key]
        value = modules[key]
        if value is self.ps.get(key):
            if key not in self._unchanged:
                self._unchanged[key] = dumps(value)
            return self._unchanged[key]
        return dumps(value)

    def render(self, modules: dict[str, Any], meshes: list[dict[str, str]]) -> str:
        ps = ",".join(f'"{k}":{self.module_json(k, modules)}' for k in self.ps if k in self.static or k in modules)
        parts = []
        for key, frozen in self.sections:
            if key == "protocolSection":
                parts.append(f'"protocolSection":{{{ps}}}')
            elif key == "derivedSection":
                derived = [f'"{k}":{v}' for k, v in self.derived_static.items()]
                browse = ",".join(filter(None, (f'"meshes":{dumps(meshes)}' if meshes else "", self.browse_rest)))
                if browse or self.has_browse:
                    derived.insert(1 if "miscInfoModule" in self.derived_static else 0,
                                   f'"conditionBrowseModule":{{{browse}}}')
                parts.append(f'"derivedSection":{{{",".join(derived)}}}')
            else:
                parts.append(f'"{key}":{frozen}')
        return "{" + ",".join(parts) + "}"


class Generator:
    def __init__(self, vocab: Vocabulary, stem_share: float) -> None:
        self.vocab = vocab
        self.stem_share = stem_share
        self.templates = [V2Template(s) for s in vocab.templates]
        self.by_type: dict[str | None, list[V2Template]] = {}
        for t in self.templates:
            self.by_type.setdefault(t.study_type, []).append(t)
        self.condition_pools = {"v2": vocab.condition_sets, "mesh": vocab.mesh_sets, "mondo": vocab.mondo_sets,
                                "ictrp": vocab.ictrp_condition_sets}
        self.all_interventions = [n for names in vocab.interventions_by_type.values() for n in names]
        self.site_pool = [dumps(s) for s in vocab.sites]
        self.stem_site_pool = [dumps(s) for s in vocab.stem_sites]
        self.ictrp_templates = [t for t in vocab.ictrp_templates
                                if not STEM_LIKE.search(f"{t.get('Public_title')} {t.get('Intervention')}")]

    # -------------------------------------------------------- shared choices
    def condition_set(self, rng: random.Random) -> ConditionSet:
        source = rng.choices([s for s, _ in CONDITION_SOURCES], [w for _, w in CONDITION_SOURCES])[0]
        chosen = rng.choice(self.condition_pools[source])
        if source != "v2" and rng.random() < 0.25:  # a second condition, as many trials list
            extra = rng.choice(self.vocab.mesh_sets)
            chosen = ConditionSet(chosen.conditions + extra.conditions, chosen.keywords, chosen.meshes + extra.meshes)
        return chosen

    def stem_content(self, rng: random.Random) -> StemContent | None:
        return rng.choice(self.vocab.stem) if rng.random() < self.stem_share else None

    def sites(self, n: int, pool: list[Any], rng: random.Random) -> list[Any]:
        if n == 0 or not pool:
            return []
        return rng.choices(pool, k=min(400, max(1, round(n * math.exp(rng.gauss(0.0, 0.6))))))

    # -------------------------------------------------------- one v2 study
    def v2_study(self, number: int, rng: random.Random) -> tuple[str, bool]:
        """The JSON text of synthetic study ``number`` and whether it was built from stem-cell content."""
        stem = self.stem_content(rng)
        pool = self.by_type.get(stem.study_type) if stem else None
        t = rng.choice(pool or self.templates)
        ps = t.ps
        words = self.vocab.stem_title_words if stem else self.vocab.title_words
        cs = stem.condition_set if stem else self.condition_set(rng)
        new_condition = cs.conditions[0]
        m: dict[str, Any] = {}

        ident = dict(ps["identificationModule"])
        ident["nctId"] = f"NCT{NCT_BASE + number:08d}"
        if "orgStudyIdInfo" in ident:
            ident["orgStudyIdInfo"] = {**ident["orgStudyIdInfo"], "id": fresh_digits(
                ident["orgStudyIdInfo"].get("id", ""), rng) + f"-{number}"}
        if "secondaryIdInfos" in ident:
            ident["secondaryIdInfos"] = [{**s, "id": fresh_digits(s.get("id", ""), rng)}
                                         for s in ident["secondaryIdInfos"]]
        if "nctIdAliases" in ident:
            ident["nctIdAliases"] = [f"NCT{NCT_BASE + 5_000_000 + rng.randrange(4_000_000):08d}"
                                     for _ in ident["nctIdAliases"]]
        if stem:
            ident["briefTitle"] = swap_words(stem.brief_title, rng, words, rng.randrange(2), 0)
            ident["officialTitle"] = stem.official_title or ident["briefTitle"]
            ident.pop("acronym", None)
        else:
            for key in ("briefTitle", "officialTitle"):
                if key in ident:
                    ident[key] = swap_words(substitute(ident[key], t.conditions, new_condition), rng, words,
                                            rng.randrange(3), int(rng.random() < 0.3))
        if "organization" in ident and stem and stem.sponsor:
            ident["organization"] = {"fullName": stem.sponsor[0], "class": stem.sponsor[1]}
        m["identificationModule"] = ident

        days = rng.randint(-3650, 730)
        if stem and stem.status:
            m["statusModule"] = {**shift_dates(ps["statusModule"], days), "overallStatus": stem.status}
        else:
            m["statusModule"] = t.status.render(days)

        sponsor_m = dict(ps.get("sponsorCollaboratorsModule", {}))
        lead = stem.sponsor if stem else (rng.choice(self.vocab.sponsors) if rng.random() < 0.5 else None)
        if lead:
            sponsor_m["leadSponsor"] = {"name": lead[0], "class": lead[1]}
        m["sponsorCollaboratorsModule"] = sponsor_m

        desc = dict(ps.get("descriptionModule", {}))
        if stem:
            desc = {"briefSummary": stem.summary or stem.brief_title}
            if stem.description:
                desc["detailedDescription"] = stem.description
        else:
            for key in ("briefSummary", "detailedDescription"):
                if key in desc:
                    desc[key] = swap_words(substitute(desc[key], t.conditions, new_condition), rng, words,
                                           rng.randrange(4), 0)
        m["descriptionModule"] = desc

        m["conditionsModule"] = {"conditions": list(cs.conditions), **({"keywords": list(cs.keywords)}
                                                                      if cs.keywords else {})}

        design = dict(ps.get("designModule", {}))
        if "enrollmentInfo" in design:
            info = design["enrollmentInfo"]
            design["enrollmentInfo"] = {**info, "count": scaled(int(info.get("count") or 0), rng)}
        if stem and stem.phases and "phases" in design:
            design["phases"] = list(stem.phases)
        m["designModule"] = design

        m["armsInterventionsModule"] = self.arms(ps.get("armsInterventionsModule", {}), stem, rng)

        elig = ps["eligibilityModule"]
        ages = (stem.min_age, stem.max_age) if stem else (rng.choice(self.vocab.ages) if rng.random() < 0.3
                                                          else None)
        if ages or (stem and stem.criteria):
            elig = dict(elig)
        if ages:
            for key, value in zip(("minimumAge", "maximumAge"), ages, strict=True):
                if value:
                    elig[key] = value
                else:
                    elig.pop(key, None)
        if stem and stem.criteria:
            elig["eligibilityCriteria"] = stem.criteria
        m["eligibilityModule"] = elig

        contacts = dict(ps.get("contactsLocationsModule", {}))
        n_sites = len(contacts.get("locations", []))
        if stem:
            contacts["locations"] = list(stem.sites) or self.sites(n_sites, self.vocab.stem_sites, rng)
            m["contactsLocationsModule"] = contacts
        elif n_sites:
            m["contactsLocationsModule"] = with_sites(contacts, self.sites(n_sites, self.site_pool, rng))
        else:
            m["contactsLocationsModule"] = contacts

        meshes = [{"id": i, "term": term} for i, term in cs.meshes]
        return t.render(m, meshes), stem is not None

    def arms(self, arms_m: dict[str, Any], stem: StemContent | None, rng: random.Random) -> dict[str, Any]:
        """Interventions (a stem-cell trial's own, or the template's with some names replaced by real ones of the
        same type) and arm groups naming them."""
        if not arms_m and not stem:
            return arms_m
        old = arms_m.get("interventions", [])
        if stem:
            interventions = [dict(i) for i in stem.interventions]
        else:
            interventions = []
            for iv in old:
                names = self.vocab.interventions_by_type.get(iv.get("type", "OTHER")) or self.all_interventions
                interventions.append({**iv, "name": rng.choice(names)} if rng.random() < 0.5 else iv)
        labels = [f"{title_case(i.get('type', 'OTHER'))}: {i['name']}" for i in interventions]
        groups = []
        for g, group in enumerate(arms_m.get("armGroups", [])):
            if stem:
                names = [labels[g % len(labels)]] if labels else []
            else:
                renamed = {f"{title_case(o.get('type', 'OTHER'))}: {o.get('name')}": lab
                           for o, lab in zip(old, labels, strict=True)}
                names = [renamed.get(n, n) for n in group.get("interventionNames", [])]
            groups.append({**group, "interventionNames": names} if "interventionNames" in group or names else group)
        out = dict(arms_m)
        if groups:
            out["armGroups"] = groups
        if interventions:
            out["interventions"] = interventions
        return out

    # -------------------------------------------------------- one ICTRP trial
    def ictrp_trial(self, number: int, rng: random.Random) -> tuple[str, bool]:
        """The XML of synthetic ICTRP trial ``number`` (portal-export layout) and whether it is a stem-cell trial."""
        stem = self.stem_content(rng)
        t = dict(rng.choice(self.ictrp_templates))
        shape = rng.choice(self.vocab.ictrp_ids)
        trial_id = numbered(shape, number)
        words = self.vocab.stem_title_words if stem else self.vocab.title_words
        olds = tuple(c.strip() for c in (t.get("Condition") or "").split(";") if c.strip())
        cs = stem.condition_set if stem else self.condition_set(rng)
        t["TrialID"] = trial_id
        from stemtrials.registry_ids import registry_of

        t["Source_Register"] = registry_of(trial_id) or t.get("Source_Register")
        if t.get("web_address"):
            t["web_address"] = fresh_digits(t["web_address"], rng)
        for key in ("Public_title", "Scientific_title"):
            if stem:
                t[key] = swap_words(stem.brief_title if key == "Public_title" else stem.official_title
                                    or stem.brief_title, rng, words, rng.randrange(2), 0)
            elif t.get(key):
                t[key] = swap_words(substitute(t[key].strip(), olds, cs.conditions[0]), rng, words,
                                    rng.randrange(3), int(rng.random() < 0.3))
        t["Condition"] = ";".join(cs.conditions)
        if stem:
            t["Intervention"] = ";".join(f"{title_case(i['type'])}: {i['name']}" for i in stem.interventions)
            countries = sorted({s["country"] for s in stem.sites if s.get("country")})
            t["Countries"] = ";".join(countries) or t.get("Countries")
            if stem.sponsor:
                t["Primary_sponsor"] = stem.sponsor[0]
        else:
            if rng.random() < 0.5:
                t["Intervention"] = (f"Experimental group:{rng.choice(self.all_interventions)};"
                                     f"Control group:{rng.choice(self.all_interventions)};")
            if rng.random() < 0.5:
                t["Primary_sponsor"] = rng.choice(self.vocab.sponsors)[0]
            if not trial_id.startswith("ChiCTR"):
                sites = self.sites(2, self.vocab.sites, rng)
                t["Countries"] = ";".join(sorted({s["country"] for s in sites if s.get("country")}))
        days = rng.randint(-3650, 730)
        for key in ("Date_registration", "Date_registration3", "Date_enrollement", "Last_Refreshed_on"):
            if t.get(key):
                t[key] = shift_any_date(t[key], days)
        if t.get("Target_size"):
            factor = math.exp(rng.gauss(0.0, 0.6))
            t["Target_size"] = DIGITS.sub(lambda mm: str(max(1, round(int(mm.group()) * factor))), t["Target_size"])
        body = "".join(f"    <{k}>{escape(v)}</{k}>\n" if v else f"    <{k} />\n" for k, v in t.items())
        return f"  <Trial>\n{body}  </Trial>\n", stem is not None

