"""Hand-written language knowledge for condition linking: clinical abbreviations, registry phrasings, vague terms.

Everything here is about *language*, never about particular trials: the tables map wordings to other wordings (not to
ontology IDs), and the ontology lookup does the rest. Sources:

- :data:`ABBREVIATIONS`: abbreviations in general clinical use, as listed by common references (e.g. the medical
  abbreviation lists of MedlinePlus / Wikipedia "List of medical abbreviations", disease-society naming such as
  KDIGO's CKD/AKI, GOLD's COPD, NIH's GVHD consensus) — the ones that occur in trial registries' condition fields.
  An abbreviation with several expansions is only expanded when the record's own text (title, keywords, other
  conditions) names one of them; otherwise it stays unlinked rather than guessed.
- :data:`REWRITES`: phrasings of registry English that the ontologies don't carry, notably the English of Chinese
  registries (ChiCTR) during 2020 ("novel coronavirus pneumonia", "NCP", "new coronary pneumonia", "cerebral
  apoplexy"), and spaced compounds.
- :data:`VAGUE_TERMS` / :data:`VAGUE_SUBTREES`: Mondo classes too general to be a useful link ("disease",
  "human disease", "injury", "disease characteristic", susceptibilities, the "disease by …" grouping classes).
- :data:`GENERIC_HEADS`: single words that name a whole family ("infection", "ulcer", "pain"): linked when they are
  the whole condition, never picked out of a longer text ("Umbilical Cord Bleeding" is not "bleeding").
"""

from __future__ import annotations

# abbreviation → expansions (first = usual reading). Case is checked by the linker: 2–3 letter abbreviations must be
# written in capitals in the source text (so "all" is not ALL), unless they are the whole condition text.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "GVHD": ("graft versus host disease",),
    "GVH": ("graft versus host",),
    "aGVHD": ("acute graft versus host disease",),
    "cGVHD": ("chronic graft versus host disease",),
    "ALS": ("amyotrophic lateral sclerosis",),
    "ARDS": ("acute respiratory distress syndrome",),
    "ALI": ("acute lung injury",),
    "COPD": ("chronic obstructive pulmonary disease",),
    "KOA": ("knee osteoarthritis",),
    "OA": ("osteoarthritis",),
    "RA": ("rheumatoid arthritis",),
    "JIA": ("juvenile idiopathic arthritis",),
    "AS": ("ankylosing spondylitis", "aortic stenosis"),
    "SCI": ("spinal cord injury",),
    "TBI": ("traumatic brain injury",),
    "T1DM": ("type 1 diabetes mellitus",),
    "T1D": ("type 1 diabetes mellitus",),
    "T2DM": ("type 2 diabetes mellitus",),
    "T2D": ("type 2 diabetes mellitus",),
    "DM": ("diabetes mellitus", "dermatomyositis"),
    "AMD": ("age related macular degeneration",),
    "ARMD": ("age related macular degeneration",),
    "MS": ("multiple sclerosis", "mitral stenosis"),
    "RRMS": ("relapsing remitting multiple sclerosis",),
    "SPMS": ("secondary progressive multiple sclerosis",),
    "PPMS": ("primary progressive multiple sclerosis",),
    "IPF": ("idiopathic pulmonary fibrosis",),
    "ILD": ("interstitial lung disease",),
    "SLE": ("systemic lupus erythematosus",),
    "LN": ("lupus nephritis",),
    "SSc": ("systemic sclerosis",),
    "pSS": ("primary sjogren syndrome",),
    "MI": ("myocardial infarction",),
    "AMI": ("acute myocardial infarction",),
    "STEMI": ("st elevation myocardial infarction",),
    "IHD": ("ischemic heart disease",),
    "CAD": ("coronary artery disease",),
    "HF": ("heart failure",),
    "CHF": ("congestive heart failure",),
    "DCM": ("dilated cardiomyopathy",),
    "ICM": ("ischemic cardiomyopathy",),
    "CLI": ("critical limb ischemia",),
    "CLTI": ("chronic limb threatening ischemia",),
    "PAD": ("peripheral arterial disease",),
    "PAOD": ("peripheral arterial occlusive disease",),
    "TAO": ("thromboangiitis obliterans",),
    "DFU": ("diabetic foot ulcer",),
    "POF": ("premature ovarian failure",),
    "POI": ("premature ovarian insufficiency",),
    "BPD": ("bronchopulmonary dysplasia", "borderline personality disorder"),
    "CP": ("cerebral palsy", "chronic pancreatitis"),
    "ASD": ("autism spectrum disorder", "atrial septal defect"),
    "AD": ("alzheimer disease", "atopic dermatitis"),
    "PD": ("parkinson disease",),
    "HD": ("huntington disease",),
    "SMA": ("spinal muscular atrophy",),
    "DMD": ("duchenne muscular dystrophy",),
    "OI": ("osteogenesis imperfecta",),
    "EB": ("epidermolysis bullosa",),
    "RDEB": ("recessive dystrophic epidermolysis bullosa",),
    "AKI": ("acute kidney injury",),
    "CKD": ("chronic kidney disease",),
    "ESRD": ("end stage renal disease",),
    "DN": ("diabetic nephropathy",),
    "IBD": ("inflammatory bowel disease",),
    "UC": ("ulcerative colitis",),
    "CD": ("crohn disease",),
    "MDS": ("myelodysplastic syndrome",),
    "AML": ("acute myeloid leukemia",),
    "ALL": ("acute lymphoblastic leukemia",),
    "CML": ("chronic myeloid leukemia",),
    "CLL": ("chronic lymphocytic leukemia",),
    "NHL": ("non hodgkin lymphoma",),
    "MM": ("multiple myeloma",),
    "AA": ("aplastic anemia",),
    "SAA": ("severe aplastic anemia",),
    "HIE": ("hypoxic ischemic encephalopathy",),
    "ONFH": ("osteonecrosis of femoral head",),
    "AVN": ("avascular necrosis",),
    "LC": ("liver cirrhosis",),
    "ACLF": ("acute on chronic liver failure",),
    "ALF": ("acute liver failure",),
    "ESLD": ("end stage liver disease",),
    "HCC": ("hepatocellular carcinoma",),
    "PBC": ("primary biliary cholangitis",),
    "PSC": ("primary sclerosing cholangitis",),
    "NASH": ("nonalcoholic steatohepatitis",),
    "NAFLD": ("nonalcoholic fatty liver disease",),
    "RP": ("retinitis pigmentosa",),
    "LSCD": ("limbal stem cell deficiency",),
    "DR": ("diabetic retinopathy",),
    "NMO": ("neuromyelitis optica",),
    "NMOSD": ("neuromyelitis optica spectrum disorder",),
    "CIDP": ("chronic inflammatory demyelinating polyneuropathy",),
    "MSA": ("multiple system atrophy",),
    "SCA": ("spinocerebellar ataxia",),
    "FTD": ("frontotemporal dementia",),
    "DDD": ("degenerative disc disease",),
    "IVDD": ("intervertebral disc degeneration",),
    "LBP": ("low back pain",),
    "ED": ("erectile dysfunction",),
    "IC": ("interstitial cystitis",),
    "SUI": ("stress urinary incontinence",),
    "COVID": ("covid 19",),
    "NCP": ("covid 19",),
    "NCIP": ("covid 19",),
    "SARS": ("severe acute respiratory syndrome",),
    "CRS": ("cytokine release syndrome",),
    "MODS": ("multiple organ dysfunction syndrome",),
    "HIV": ("hiv infection",),
    "AIDS": ("acquired immunodeficiency syndrome",),
    "CMV": ("cytomegalovirus infection",),
    "PAH": ("pulmonary arterial hypertension",),
    "PH": ("pulmonary hypertension",),
    "BOS": ("bronchiolitis obliterans syndrome",),
    "PTSD": ("post traumatic stress disorder",),
    "GBM": ("glioblastoma",),
    "DIPG": ("diffuse intrinsic pontine glioma",),
    "ICH": ("intracerebral hemorrhage",),
    "SAH": ("subarachnoid hemorrhage",),
    "AIS": ("acute ischemic stroke", "adolescent idiopathic scoliosis"),
    "CVA": ("stroke",),
    "DVT": ("deep vein thrombosis",),
    "VLU": ("venous leg ulcer",),
    "BMF": ("bone marrow failure",),
    "PNH": ("paroxysmal nocturnal hemoglobinuria",),
    "SCD": ("sickle cell disease",),
    "TDT": ("transfusion dependent thalassemia",),
}

# Registry phrasings → ontology wording, applied to normalized text (see normalize.py), longest first.
REWRITES: dict[str, str] = {
    "novel coronavirus pneumonia": "covid 19",
    "novel coronavirus infected pneumonia": "covid 19",
    "novel coronavirus infection": "covid 19",
    "novel coronavirus disease": "covid 19",
    "2019 novel coronavirus pneumonia": "covid 19",
    "2019 novel coronavirus disease": "covid 19",
    "2019 novel coronavirus": "covid 19",
    "new coronavirus pneumonia": "covid 19",
    "new coronary pneumonia": "covid 19",
    "new coronavirus infection": "covid 19",
    "novel coronavirus": "covid 19",
    "new coronavirus": "covid 19",
    "corona virus disease 2019": "covid 19",
    "corona virus disease": "covid 19",
    "coronavirus disease 19": "covid 19",
    "2019 ncov pneumonia": "covid 19",
    "2019 ncov": "covid 19",
    "sars cov 2 infection": "covid 19",
    "sars cov2 infection": "covid 19",
    "sars cov 2": "covid 19",
    "severe acute respiratory syndrome coronavirus 2 infection": "covid 19",
    "severe acute respiratory syndrome coronavirus 2": "covid 19",
    "perianal fistula": "anal fistula",
    "fistula in ano": "anal fistula",
    "covid 19 infection": "covid 19",
    "covid19": "covid 19",
    "human immunodeficiency virus infection": "hiv infection",
    "human immunodeficiency virus": "hiv infection",
    "hepatitis b virus infection": "hepatitis b",
    "hepatitis c virus infection": "hepatitis c",
    "cerebral apoplexy": "stroke",
    "apoplexy": "stroke",
    "osteo arthritis": "osteoarthritis",
    "osteo arthrosis": "osteoarthritis",
    "osteoarthrosis": "osteoarthritis",
    "arthrosis": "osteoarthritis",
    "premature ovarian insufficiency": "primary ovarian insufficiency",
    "knee joint osteoarthritis": "knee osteoarthritis",
    "osteoarthritis of knee joint": "knee osteoarthritis",
    "hip joint osteoarthritis": "hip osteoarthritis",
    "degenerative knee": "knee osteoarthritis",
    "gonarthrosis": "knee osteoarthritis",
    "coxarthrosis": "hip osteoarthritis",
    "diabetic foot ulceration": "diabetic foot ulcer",
    "liver cirrhosis decompensated": "liver cirrhosis",
    "decompensated liver cirrhosis": "liver cirrhosis",
    "decompensated cirrhosis": "liver cirrhosis",
    "hepatic cirrhosis": "liver cirrhosis",
    "femoral head necrosis": "osteonecrosis of femoral head",
    "necrosis of femoral head": "osteonecrosis of femoral head",
    "graft v host disease": "graft versus host disease",
    "graft vs host disease": "graft versus host disease",
}

# Qualifiers that narrow a condition without changing what it is: stripped when the text doesn't match as written,
# so "Moderate to Severe ARDS" links to ARDS. The result is never more specific than the text. Two rounds: first the
# qualifiers that are never part of a disease name, then (STRIPPABLE_LAST) those that often are — "Severe Acute
# Respiratory Distress Syndrome" keeps its "acute".
STRIPPABLE = (
    "moderate to severe", "mild to moderate", "moderate or severe", "severe", "moderate", "mild", "refractory",
    "treatment resistant", "drug resistant", "therapy resistant", "advanced", "symptomatic", "confirmed",
    "laboratory confirmed", "suspected", "newly diagnosed", "in remission", "patient with", "patients with",
    "subject with", "people with", "adult with", "child with", "patient", "subject", "related", "associated",
    "established", "active", "stable",
)
STRIPPABLE_LAST = ("primary", "chronic", "acute", "first", "recurrent", "relapsed", "persistent", "long term", "early")

VAGUE_TERMS: frozenset[str] = frozenset({
    "MONDO:0000001",  # disease
    "MONDO:0700096",  # human disease
    "MONDO:0021178",  # injury (root: "trauma", "wound" are its synonyms)
    "MONDO:0002254",  # syndromic disease ("syndrome")
    "MONDO:0003847",  # hereditary disease ("genetic disease")
    "MONDO:0005550",  # infectious disease ("infection")
    "MONDO:0021166",  # inflammatory disease
    "MONDO:0700007",  # idiopathic disease
    "MONDO:0043839",  # ulcer disease
    "MONDO:0045024",  # cancer or benign tumor
    "MONDO:7770006",  # disease by body system or component … and the other "disease by" grouping classes
    "MONDO:7770007",
    "MONDO:7770008",
    "MONDO:7770010",
})
# Whole subtrees that are not diagnoses: characteristics ("rare", "congenital or acquired") and susceptibilities.
VAGUE_SUBTREES: tuple[str, ...] = (
    "MONDO:0021125",  # disease characteristic
    "MONDO:0042489",  # disease susceptibility
)
# Grouping classes named "disease by …" / "… or …" are filing devices, not diagnoses.
VAGUE_LABEL_PREFIXES = ("disease by ", "disease of primarily ")

GENERIC_HEADS: frozenset[str] = frozenset({
    "disease", "disorder", "syndrome", "condition", "infection", "injury", "trauma", "wound", "tumor", "neoplasm",
    "cancer", "lesion", "ulcer", "pain", "failure", "fracture", "bleeding", "hemorrhage", "inflammation", "fibrosis",
    "sclerosis", "ischemia", "infarction", "degeneration", "dysfunction", "insufficiency", "deficiency", "atrophy",
    "necrosis", "shock", "cyst", "fistula", "scar", "stenosis", "hypoxia", "complication", "edema", "defect",
    "dystrophy", "neuropathy", "myopathy", "dysplasia", "malformation", "anomaly", "abnormality", "deformity",
})

# Nouns that, right after a disease name, make it a modifier of something else: "Human Immunodeficiency Virus",
# "Child-Pugh Score", "Diabetes Education", "Stroke Unit", "Influenza-like Illness". A phrase followed by one of
# these is not a condition.
HEAD_NOUNS: frozenset[str] = frozenset({
    "like", "virus", "score", "scale", "index", "cell", "factor", "therapy", "treatment", "transplant",
    "transplantation",
    "surgery", "vaccine", "vaccination", "drug", "level", "test", "testing", "model", "gene", "protein", "receptor",
    "antibody", "education", "unit", "care", "program", "registry", "screening", "prevention", "management",
    "clinic", "center", "service", "risk", "marker", "biomarker", "questionnaire", "staging", "classification",
})

# Words that look like abbreviations but are ordinary English when written in lower or title case.
COMMON_WORDS: frozenset[str] = frozenset({"all", "as", "ms", "ad", "pd", "cd", "ed", "dr", "ic", "hd", "aa", "cp",
                                          "ph", "ln", "lc", "mi", "hf", "dm", "oa", "ra", "sars", "aids", "mm", "pad",
                                          "cad", "sci", "ali"})
