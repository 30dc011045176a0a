"""The words that name cell products, and what each one means for a product's category.

Every entry is a regular expression with a *role*:

- ``product``: a cell (or cell-derived) product by itself — "mesenchymal stem cells", "HSCT", "CAR-T", "exosomes".
  It carries the category of the contract and, when the words imply them, a cell type (a Cell Ontology or Uberon
  name, looked up in the snapshot at run time — no identifiers are written here) and a source tissue (Uberon name).
- ``head``: a differentiated cell type that is a product only when something makes it one — derived from a stem
  cell ("hESC-derived RPE", "iPSC-CMs"), or a pluripotent-only registry (hPSCreg). "Retinal pigment epithelium" in a
  CT.gov title is a disease site as often as a product; "hESC-derived retinal pigment epithelium" is a product.
- ``origin``: a pluripotent source (hESC, hiPSC, unspecified hPSC). The origin beats the differentiated cell type
  for the category (a hESC-derived RPE cell is ``hesc_derived`` with cell type RPE cell).
- ``generic``: "stem cells", "progenitor cells" without a kind — a stem-cell product of unknown kind (``other_stem``)
  unless a more specific mention in the same phrase says what it is.

Decisions (documented because curators will ask):

- Stromal vascular fraction, micro-fragmented adipose tissue/nanofat and "adipose-derived regenerative cells" are
  ``msc``: adipose products used for their stromal/stem-cell content, counted with MSC therapies by MSC registries.
  Plain fat grafting (lipofilling) is a tissue graft, not a cell product.
- Bone-marrow mononuclear cells, bone-marrow aspirate concentrate (BMAC) and un-manipulated bone marrow injections
  are ``other_stem``: heterogeneous marrow products, neither culture-selected MSCs nor a haematopoietic transplant.
  Cord-blood *transplants* are ``hsc``; cord-blood cell infusions outside transplantation are ``other_stem``.
- CD34+ cells are ``hsc`` (haematopoietic stem/progenitor cells, whatever the indication); CD133+ cells are
  ``other_stem`` (a mixed haematopoietic/endothelial progenitor fraction).
- Limbal stem cells, endothelial progenitor cells, cardiac stem/progenitor and cardiosphere-derived cells,
  muscle-derived cells and myoblasts, MAPCs, amniotic epithelial cells, retinal progenitor cells: ``other_stem``.
- Oligodendrocyte progenitors and glial-restricted progenitors are neural progenitors: ``neural_stem_cell``.
- Platelet-rich plasma, platelet lysate and blood transfusions are not cell therapies: no product at all.
- T, NK, NKT, CIK, dendritic, TIL, Treg, DLI, macrophage, chondrocyte, keratinocyte, fibroblast, hepatocyte, islet
  and Schwann/olfactory-ensheathing cell products are ``non_stem_cell_therapy`` — unless derived from a pluripotent
  cell, when the origin decides.

Abbreviations that are ambiguous across medicine (MPC, NPC, OPC, EPC, ASC, MDSC, HCT, SCT, DC …) are not listed:
they count only where the record defines them ("Mesenchymal Precursor Cells (MPCs)"), see ``phrases.abbreviations``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from .fastre import Alternation

Role = Literal["product", "head", "origin", "generic", "ev"]


@dataclass(frozen=True)
class Entry:
    key: str
    pattern: str
    role: Role
    category: str | None = None
    cell: str | None = None
    """Cell Ontology name (label or synonym) of what the words denote; resolved in the snapshot."""
    cell_ontology: str = "CL"
    """"UBERON" for tissue products ("hiPSC-retinas", "iPS-cell-derived cartilage")."""
    tissue: str | None = None
    """Uberon name of the source tissue the words imply (SVF → adipose tissue)."""
    origin: str | None = None
    """For role ``origin``: "hESC", "hiPSC" or "" (pluripotent, origin not stated)."""


def ci(p: str) -> str:
    """A case-insensitive alternative that starts at a word boundary (abbreviations outside it stay case-sensitive:
    "NK" is natural killer, "nk" is not)."""
    return rf"(?i:\b(?:{p}))"


_CELLS = r"(?:[\s-]+cells?)"
_STEMC = r"stem[\s-]*cells?"
_HEM = r"h(?:a)?e?mato-?po(?:i)?etic|h(?:a)?emopoietic"  # "hematopoetic" is a common misspelling
_DERIVED = r"(?:[\s-]*(?:tissue[\s-]*)?(?:-?derived|-?origin)?[\s-]*)"

# Order matters: at one position the first alternative that matches wins, so specific entries precede general ones.
ENTRIES: list[Entry] = [
    # --- pluripotent origins -------------------------------------------------------------------------------
    Entry("esc", ci(r"(?:human\s+)?embryonic[\s-]+stem[\s-]*cells?|embryo[\s-]+stem[\s-]*cells?|"
                    r"parthenogenetic\s+(?:embryonic\s+)?stem[\s-]*cells?|(?:h|human\s+)?ES[\s-]+cells?")
          + r"|\bh?ESCs?\b|\bhES\b|\bES(?=[\s-]*derived)", "origin", origin="hESC"),
    Entry("ipsc", ci(r"induced[\s-]+pluripot\w*(?:[\s-]+stem)?(?:[\s-]*cells?)?")
          + r"|\bh?iPSCs?\b|\bh?iPS(?i:[\s-]*cells?)?(?![A-Za-z])|\bh?iPSC(?=[-_])", "origin", origin="hiPSC"),
    Entry("psc", ci(r"(?:human\s+)?pluripotent[\s-]+stem[\s-]*cells?|pluripotent\s+cells?") + r"|\bhPSCs?\b",
          "origin", origin=""),
    # --- extracellular vesicles ----------------------------------------------------------------------------
    Entry("ev", ci(r"exosomes?|exosomal|extracellular[\s-]+vesicles?|micro-?vesicles?|secretomes?|"
                   r"conditioned[\s-]+(?:culture[\s-]+)?medi(?:um|a)|cell[\s-]free\s+(?:derivatives?|products?)")
          + r"|(?<=-)s?EVs?\b|\bs?EVs\b|(?<=-)Exos?\b|\bEXOs?\b|\bExoFlo\b|(?<=MSC-)CM\b|(?<=MSCs-)CM\b", "ev",
          category="extracellular_vesicles"),
    # --- haematopoietic products whose words contain tissue names (before the tissue-MSC entry) --------------
    Entry("cb_tx", ci(r"(?:umbilical[\s-]+)?cord[\s-]+blood[\s-]+(?:stem[\s-]+cell[\s-]+|unit[\s-]+|cell[\s-]+)?"
                      r"(?:transplant\w*|grafts?)|(?:double|single|multiple)[\s-]+(?:unit[\s-]+)?(?:umbilical[\s-]+)?"
                      r"cord[\s-]+blood|cord[\s-]+blood[\s-]+units?"), "product", "hsc",
          "cord blood hematopoietic stem cell", tissue="umbilical cord blood"),
    Entry("pbsc", ci(r"peripheral[\s-]+blood[\s-]+(?:(?:" + _HEM + r")[\s-]+)?(?:stem|progenitor)[\s-]*cells?"
                     r"(?:[\s-]+transplant\w*)?") + r"|\bPBSCT?s?\b", "product", "hsc", "peripheral blood stem cell",
          tissue="blood"),
    Entry("bmt", ci(r"(?:bone[\s-]+)?marrow[\s-]+(?:cells?[\s-]+)?transplant\w*") + r"|\bBMTs?\b", "product", "hsc",
          "hematopoietic stem cell", tissue="bone marrow"),
    # --- MSC -----------------------------------------------------------------------------------------------
    Entry("msc_tissue", ci(r"(?:umbilical[\s-]+cord(?:[\s-]+blood)?|cord[\s-]+(?:tissue|lining)|wharton['’´`]?s?[\s-]+"
                           r"jelly|placenta[l]?|amnion|amniotic(?:[\s-]+membrane|[\s-]+fluid)?|chorion(?:ic)?|decidua[l]?|"
                           r"dental[\s-]+pulp|menstrual(?:[\s-]+blood)?|endometri(?:al|um)|synovi(?:al|um)|"
                           r"periodontal[\s-]+ligament|gingiva[l]?|adipose|(?:buccal[\s-]+)?fat(?:[\s-]+pad)?|lipo)"
                           + _DERIVED + r"(?:adult[\s-]+)?(?:mesenchymal[\s-]+)?"
                           + r"(?:stem|stromal|progenitor|regenerative)" + _CELLS), "product",
          "msc", "mesenchymal stem cell"),
    Entry("msc", ci(r"mesenchymal[\s-]+(?:stem|stromal|progenitor|precursor|signal(?:l)?ing)"
                    r"(?:[\s/-]+(?:stem|stromal|progenitor|precursor))?(?:[\s-]*cells?)?|"
                    # "mesenchymal bone marrow cells", "mesenchymal human stem cells", "MSC-like cells"
                    r"mesenchymal[\s-]+(?:(?!tumou?r|cancer|carcinoma|neoplas)[\w-]+[\s-]+){0,3}?cells?|"
                    r"mesenchymoangioblast\w*|"
                    r"(?:bone[\s-]+)?marrow[\s-]+stromal[\s-]+cells?|medicinal[\s-]+signal(?:l)?ing[\s-]+cells?|"
                    r"multipotent[\s-]+stromal[\s-]+cells?|adherent[\s-]+stromal[\s-]+cells?|"
                    # "allogeneic MPCs": mesenchymal precursor cells named by the cell-product words around them
                    r"(?:allogene?ic|autologous|culture[\s-]+expanded|immuno-?selected|STRO-?[13]\+?)[\s,-]+"
                    r"(?:[\w-]+[\s,-]+){0,2}?MPCs?\b")
          , "product", "msc", "mesenchymal stem cell"),
    # hMSC, UC-MSC, WJMSCs, BM-MSC, adMSC, MSC_NTF — but not NMSC (non-melanoma skin cancer)
    Entry("msc_abbr", r"(?<![A-Za-z])(?!NMSC)[A-Za-z]{0,6}-?MSCs?(?![A-Za-z])", "product", "msc",
          "mesenchymal stem cell"),
    Entry("svf", ci(r"stromal[\s-]+vascular[\s-]+fraction|micro-?fragmented[\s-]+(?:autologous[\s-]+)?adipose|"
                    r"microfractured[\s-]+(?:autologous[\s-]+)?adipose|nanofat|lipogems") + r"|\bSVFs?\b",
          "product", "msc", None, tissue="adipose tissue"),
    Entry("adsc", r"\bh?AD-?SCs?\b|\bADRCs?\b|\bh?ADMSCs?\b|\bAT-?MSCs?\b", "product", "msc", "mesenchymal stem cell",
          tissue="adipose tissue"),
    Entry("shed", ci(r"stem[\s-]+cells?[\s-]+(?:from|of)[\s-]+(?:human[\s-]+)?exfoliated[\s-]+deciduous[\s-]+teeth")
          + r"|\bSHEDs?\b", "product", "msc", "mesenchymal stem cell", tissue="deciduous tooth"),
    Entry("dpsc", r"\bh?DPSCs?\b", "product", "msc", "mesenchymal stem cell", tissue="dental pulp"),
    Entry("mensc", r"\bMenSCs?\b", "product", "msc", "mesenchymal stem cell", tissue="menstrual fluid"),
    Entry("wj", ci(r"wharton['’´`]?s?[\s-]+jelly") + r"|\bWJ\b", "product", "msc", "mesenchymal stem cell"),
    # --- haematopoietic ------------------------------------------------------------------------------------
    Entry("hsc", ci(r"(?:" + _HEM + r"|blood[\s-]forming)[\s-]+(?:stem|progenitor)(?:[\s/-]*(?:and|&)?[\s/-]*"
                    r"(?:stem|progenitor))?(?:[\s-]*cells?)?(?:[\s-]+transplant\w*)?|" + r"(?:" + _HEM
                    + r")[\s-]+cells?[\s-]+transplant\w*")
          + r"|\b(?:allo-?|auto-?|haplo-?)?HSCTs?\b|\bHSPCs?\b|\bHSCs?\b|\b(?:allo|auto)-?(?:HCT|SCT)\b|\bASCT\b",
          "product", "hsc", "hematopoietic stem cell"),
    Entry("cd34", ci(r"CD34[\s-]*(?:\+|\(\+\)|positive|pos\b|\s*-?selected|\s*-?enriched)[\s-]*(?:(?:stem|progenitor|"
                     r"hematopoietic|haematopoietic)[\s-]+)?(?:cells?)?") + r"|\bCD34\+", "product", "hsc",
          "hematopoietic stem cell"),
    Entry("sct", ci(r"(?:(?:allogene?ic|autologous|haplo-?identical|sibling|donor|(?:matched|mismatched)[\s-]+"
                    r"(?:related|unrelated|sibling)(?:[\s-]+donor)?|unrelated[\s-]+donor)[\s-]+)?stem[\s-]*cells?[\s-]+"
                    r"(?:transplant\w*|rescue|support|boost|graft(?:s|ing)?)"), "product", "hsc",
          "hematopoietic stem cell"),
    # --- neural --------------------------------------------------------------------------------------------
    Entry("da", ci(r"(?:midbrain[\s-]+)?dopamin\w*[\s-]+(?:neural[\s-]+|neuronal[\s-]+)?(?:neurons?|progenitors?|"
                   r"precursors?|cells?)(?:[\s-]+cells?)?") + r"|\bDA[\s-]?(?:neurons?|progenitors?|cells?)\b",
          "head", None, "dopaminergic neuron"),
    Entry("opc", ci(r"oligodendrocyte[\s-]+(?:progenitor|precursor)s?(?:[\s-]*cells?)?") + r"|\bAST-OPC1\b",
          "product", "neural_stem_cell", "oligodendrocyte precursor cell"),
    Entry("nsc", ci(r"neural[\s-]+stem(?:[\s/-]+(?:progenitor|precursor))?(?:[\s-]*cells?)?|"
                    r"neural[\s-]+(?:progenitor|precursor)[\s/-]+stem(?:[\s-]*cells?)?|neuronal[\s-]+stem[\s-]*cells?|"
                    r"neurospheres?") + r"|\bh?NSCs?\b", "product", "neural_stem_cell", "neural stem cell"),
    Entry("npc", ci(r"neural[\s-]+(?:progenitor|precursor)s?(?:[\s-]*cells?)?|glial[\s-]+restricted[\s-]+"
                    r"(?:progenitor|precursor)s?(?:[\s-]*cells?)?"), "product", "neural_stem_cell",
          "neural progenitor cell"),
    # --- other stem / progenitor ---------------------------------------------------------------------------
    Entry("limbal", ci(r"limbal[\s-]+(?:epithelial[\s-]+)?stem[\s-]*cells?(?![\s-]+deficien)(?:[\s-]+transplant\w*)?|"
                       r"(?:cultivated|cultured|expanded)[\s-]+(?:autologous[\s-]+)?limbal[\s-]+(?:epithelial[\s-]+)?"
                       r"(?:cells?|transplant\w*|grafts?)|limbal[\s-]+(?:epithelial[\s-]+)?cell[\s-]+sheets?|"
                       r"simple[\s-]+limbal[\s-]+epithelial[\s-]+transplant\w*") + r"|\bC?LET\b|\bCALEC\b|\bSLET\b",
          "product", "other_stem", "limbal stem cell", tissue="corneal limbus"),
    Entry("epc", ci(r"endothelial[\s-]+(?:progenitor|precursor)[\s-]*cells?|angiogenic[\s-]+(?:progenitor|"
                    r"precursor)[\s-]*cells?|endothelial[\s-]+colony[\s-]+forming[\s-]+cells?"), "product",
          "other_stem", "adult endothelial progenitor cell"),
    Entry("cardiac_prog", ci(r"cardiac[\s-]+(?:stem|progenitor|precursor)[\s-]*cells?|cardiosphere[\s-]+derived[\s-]+"
                             r"cells?|cardiopoietic[\s-]+(?:stem[\s-]+)?cells?|c-?kit[\s+-]+(?:positive[\s-]+)?"
                             r"cardiac[\s-]+(?:stem[\s-]+)?cells?") + r"|\bh?CSCs?\b|\bCDCs?\b",
          "product", "other_stem", "cardioblast"),
    Entry("muscle_prog", ci(r"muscle[\s-]+derived[\s-]+(?:stem[\s-]+|progenitor[\s-]+)?cells?|muscle[\s-]+(?:stem|"
                            r"precursor|progenitor)[\s-]*cells?|(?:skeletal[\s-]+)?myoblasts?|satellite[\s-]+cells?"),
          "product", "other_stem", "myoblast", tissue="skeletal muscle tissue"),
    Entry("bm_cells", ci(r"(?:autologous[\s-]+)?bone[\s-]+marrow(?:[\s-]+derived)?[\s-]+(?:mono-?nuclear|nucleated)"
                         r"[\s-]*cells?|"
                         r"(?:bone[\s-]+)?marrow[\s-]+(?:aspirate[\s-]+)?concentrat(?:es?|ions?|ed)|concentrated[\s-]+(?:bone[\s-]+)?"
                         r"marrow(?:[\s-]+aspirates?)?|bone[\s-]+marrow[\s-]+aspirates?(?![\s-]*ion)|autologous[\s-]+"
                         r"bone[\s-]+marrow(?:[\s-]+(?:cells?|injections?|implantation|grafting|grafts?))?|"
                         r"bone[\s-]+marrow[\s-]+(?:derived[\s-]+)?(?:stem[\s-]+)?cells?")
          + r"|\bBM-?MNCs?\b|\bBMMCs?\b|\bBMNCs?\b|\bBMAC\b", "product", "other_stem",
          "mononuclear cell of bone marrow", tissue="bone marrow"),
    Entry("cb_cells", ci(r"(?:umbilical[\s-]+)?cord[\s-]+blood(?:[\s-]+derived)?(?:[\s-]+(?:mono-?nuclear|nucleated|"
                         r"stem))?[\s-]+cells?|(?:umbilical[\s-]+)?cord[\s-]+blood[\s-]+infusions?")
          + r"|\bh?UCB-?MNCs?\b|\bhUCBCs?\b", "product", "other_stem", None, tissue="umbilical cord blood"),
    Entry("cd133", ci(r"(?:CD|AC)133[\s-]*(?:\+|positive|-?selected|-?enriched)?[\s-]*(?:(?:stem|progenitor|"
                      r"bone[\s-]+marrow)[\s-]+)?cells?") + r"|\bCD133\+", "product", "other_stem", None),
    Entry("amnio", ci(r"amniotic[\s-]+(?:epithelial|fluid)[\s-]+(?:stem[\s-]+)?cells?|amniotic[\s-]+(?:membrane[\s-]+)?"
                      r"stem[\s-]*cells?") + r"|\bh?AECs?\b", "product", "other_stem", "epithelial cell of amnion",
          tissue="amnion"),
    Entry("other_prog", ci(r"multipotent[\s-]+adult[\s-]+progenitor[\s-]*cells?|retinal[\s-]+progenitor[\s-]*cells?|"
                           r"(?:hepatic|liver)[\s-]+(?:stem|progenitor)[\s-]*cells?|spermatogonial[\s-]+stem[\s-]*"
                           r"cells?|(?:epidermal|hair[\s-]+follicle|skin)[\s-]+stem[\s-]*cells?|urine[\s-]+derived[\s-]+"
                           r"stem[\s-]*cells?|very[\s-]+small[\s-]+embryonic[\s-]+like|olfactory[\s-]+(?:mucosa[\s-]+)?"
                           r"stem[\s-]*cells?|dental[\s-]+(?:follicle|papilla)[\s-]+stem[\s-]*cells?|"
                           r"periosteal[\s-]+(?:stem|progenitor)[\s-]*cells?|adult[\s-]+progenitor[\s-]*cells?")
          + r"|\bMAPCs?\b|\bVSELs?\b", "product", "other_stem", None),
    # --- non-stem cell therapies ---------------------------------------------------------------------------
    Entry("car_nk", ci(r"CAR[\s-]*NK(?:[\s-]*cells?)?|chimeric[\s-]+antigen[\s-]+receptor[\s-]+(?:\w+[\s-]+){0,2}?"
                       r"(?:NK|natural[\s-]+killer)(?:[\s-]*cells?)?"), "product", "non_stem_cell_therapy",
          "natural killer cell"),
    Entry("nkt", ci(r"natural[\s-]+killer[\s-]+T[\s-]*cells?") + r"|\bi?NKT(?i:[\s-]*cells?)?\b", "product",
          "non_stem_cell_therapy", "mature NK T cell"),
    Entry("nk", ci(r"natural[\s-]+killer(?:[\s-]*\(NK\))?(?:[\s-]*cells?)?|NK[\s-]*92(?:[\s-]*cells?)?")
          + r"|\b(?:i|a|ha|h)?NK(?i:[\s-]*cells?)?\b", "product", "non_stem_cell_therapy", "natural killer cell"),
    Entry("car_t", ci(r"chimeric[\s-]+antigen[\s-]+receptor(?:[\s-]+(?:modified|engineered|redirected))?(?:[\s-]+\w+)?"
                      r"[\s-]+T[\s-]*(?:cells?|lymphocytes?)|chimeric[\s-]+antigen[\s-]+receptor")
          + r"|\bCAR[\s-]?T(?i:[\s-]*cells?)?\b|\bCART(?:-?\d+)?\b|\bCAR\b", "product", "non_stem_cell_therapy",
          "T cell"),
    Entry("cik", ci(r"cytokine[\s-]+induced[\s-]+killer(?:[\s-]*cells?)?") + r"|\b(?:DC-?)?CIKs?\b", "product",
          "non_stem_cell_therapy", None),
    Entry("treg", ci(r"regulatory[\s-]+T[\s-]*(?:cells?|lymphocytes?)") + r"|\b[Tt]-?regs?\b", "product",
          "non_stem_cell_therapy", "regulatory T cell"),
    Entry("dc", ci(r"(?:tolerogenic[\s-]+)?dendritic[\s-]*cells?(?:[\s-]+vaccines?)?") + r"|\bDCs?(?=[\s-]*vaccin)",
          "product", "non_stem_cell_therapy", "dendritic cell"),
    Entry("til", ci(r"tumou?r[\s-]+infiltrating[\s-]+lymphocytes?") + r"|\bTILs?\b", "product",
          "non_stem_cell_therapy", "lymphocyte"),
    Entry("dli", ci(r"donor[\s-]+lymphocytes?(?:[\s-]+infusions?)?") + r"|\bDLIs?\b", "product",
          "non_stem_cell_therapy", "lymphocyte"),
    Entry("tcell", ci(r"(?:virus|antigen|EBV|CMV|adenovirus|multi-?virus|tumou?r|neoantigen)[\s-]+specific[\s-]+"
                      r"(?:cytotoxic[\s-]+)?T[\s-]*(?:cells?|lymphocytes?)|cytotoxic[\s-]+T[\s-]*(?:cells?|"
                      r"lymphocytes?)|gamma[\s-]*delta[\s-]+T[\s-]*cells?|γδ[\s-]*T[\s-]*cells?|TCR[\s-]*T(?:[\s-]*cells?)?")
          + r"|\bCTLs?\b|\bT[\s-]*(?:cells?|lymphocytes?)\b(?![\s-]*(?:lymphoma|leuk|depleti|deplete|count|receptor|"
          r"mediated|engag|prolymph|acute|subset|response|activation|function|immun|exhaust|phenotyp|clon|repertoire))",
          "product", "non_stem_cell_therapy", "T cell"),
    Entry("macrophage", ci(r"macrophages?(?![\s-]*(?:activation|polariz|colony))"), "product", "non_stem_cell_therapy",
          "macrophage"),
    Entry("chondrocyte", ci(r"chondrocytes?(?![\s-]*(?:hypertroph|differentiat))") + r"|\bM?ACI\b", "product",
          "non_stem_cell_therapy", "chondrocyte"),
    Entry("keratinocyte", ci(r"keratinocytes?(?![\s-]*growth)"), "product", "non_stem_cell_therapy", "keratinocyte"),
    Entry("fibroblast", ci(r"fibroblasts?(?![\s-]*(?:growth|activation))"), "product", "non_stem_cell_therapy",
          "fibroblast"),
    Entry("melanocyte", ci(r"melanocytes?(?![\s-]*stimulat)"), "product", "non_stem_cell_therapy", "melanocyte"),
    Entry("hepatocyte", ci(r"hepatocytes?(?![\s-]*(?:growth|nuclear))(?:[\s-]+(?:like[\s-]+)?cells?)?"), "product",
          "non_stem_cell_therapy", "hepatocyte"),
    Entry("islet", ci(r"(?:pancreatic[\s-]+)?islets?(?:[\s-]+of[\s-]+langerhans)?(?:[\s-]+(?:like[\s-]+)?(?:cells?|"
                      r"bod(?:y|ies)|clusters?))?(?![\s-]*(?:antibod|autoantibod|antigen|amyloid|function|cell[\s-]+"
                      r"antibod))"), "product", "non_stem_cell_therapy", "islet of Langerhans", cell_ontology="UBERON"),
    Entry("glia", ci(r"olfactory[\s-]+ensheathing[\s-]+cells?|schwann[\s-]+cells?"), "product",
          "non_stem_cell_therapy", None),
    Entry("pbmc", ci(r"peripheral[\s-]+blood[\s-]+mono-?nuclear[\s-]+cells?") + r"|\bPB-?MNCs?\b|\bPBMCs?\b",
          "product", "non_stem_cell_therapy", "peripheral blood mononuclear cell", tissue="blood"),
    # --- differentiated heads: products only when derived from stem cells ----------------------------------
    Entry("rpe", ci(r"retinal[\s-]+pigment(?:ed)?[\s-]+epitheli(?:um|ums|al)(?:[\s-]*cells?)?") + r"|\bh?RPE\d*\b",
          "head", None, "retinal pigment epithelial cell"),
    Entry("cm", ci(r"cardio-?myocytes?(?:[\s-]+(?:sheets?|spheroids?|patch(?:es)?))?|cardiac[\s-]+muscle[\s-]+cells?|"
                   r"heart[\s-]+muscle[\s-]+cells?|(?:engineered[\s-]+)?(?:human[\s-]+)?myocardium|"
                   r"cardiac[\s-]+(?:spheres?|spheroids?|tissue|patch(?:es)?)|cardiomyocyte[\s-]+spheroids?")
          + r"|(?<=PSC-)CMs?\b|(?<=PS-)CMs?\b|(?<=ESC-)CMs?\b|(?<=iPS-)CMs?\b", "head", None, "cardiac muscle cell"),
    Entry("cardio_prog", ci(r"cardiovascular[\s-]+progenitors?(?:[\s-]*cells?)?"), "head", None, "cardioblast"),
    Entry("pancreatic_prog", ci(r"pancreatic[\s-]+(?:endoderm|progenitor|endocrine[\s-]+progenitor|islet[\s-]+"
                                r"progenitor)s?(?:[\s-]*cells?)?"), "head", None,
          "progenitor cell of endocrine pancreas"),
    Entry("beta", ci(r"(?:pancreatic[\s-]+)?(?:beta|β)[\s-]+(?:like[\s-]+)?cells?|insulin[\s-]+producing[\s-]+cells?|"
                     r"(?:stem[\s-]+cell[\s-]+derived[\s-]+)?islet[\s-]+cells?"), "head", None,
          "type B pancreatic cell"),
    Entry("endothelial", ci(r"endothelial[\s-]+cells?") + r"|(?<=PSC-)ECs?\b|(?<=PS-)ECs?\b", "head", None,
          "endothelial cell"),
    Entry("corneal", ci(r"corneal[\s-]+(?:epithelial|endothelial)[\s-]+cells?(?:[\s-]+sheets?)?"), "head", None, None),
    Entry("platelet", ci(r"platelets?(?![\s-]*(?:rich|lysate|poor|count|aggregat|function|derived|inhibit|gel|"
                         r"transfusion))|megakaryocytes?"), "head", None, None),
    Entry("rbc", ci(r"red[\s-]+blood[\s-]+cells?|erythrocytes?") + r"|\bRBCs?\b", "head", None, "erythrocyte"),
    Entry("retina", ci(r"retinas?(?=[\s-]*(?:sheets?|organoids?|tissues?)?\b)(?![\s-]*(?:pigment|detach|disease|"
                       r"dystroph|degenerat|vein|vascul))"), "head", None, "retina", cell_ontology="UBERON"),
    Entry("cartilage", ci(r"cartilage(?![\s-]*(?:defect|lesion|damage|injur|repair|degenerat|loss|disease))"), "head",
          None, "cartilage tissue", cell_ontology="UBERON"),
    Entry("neuron", ci(r"(?:inhibitory[\s-]+|gaba-?ergic[\s-]+)?inter-?neurons?|(?:motor[\s-]+)?neurons?|"
                       r"neuronal[\s-]+cells?|astrocytes?|oligodendrocytes?|photoreceptors?(?:[\s-]+(?:precursor|"
                       r"progenitor)s?)?(?:[\s-]*cells?)?"), "head", None, None),
    Entry("epithelial", ci(r"epithelial[\s-]+cells?(?:[\s-]+sheets?)?"), "head", None, "epithelial cell"),
    # --- unspecified stem / progenitor cells (weakest) -----------------------------------------------------
    Entry("generic", ci(r"(?:adult[\s-]+|somatic[\s-]+|tissue[\s-]+specific[\s-]+)?stem[\s-]*cells?|stemcells?|"
                        r"(?:stem[\s-]+(?:and|&|/)[\s-]+)?progenitor[\s-]*cells?|precursor[\s-]*cells?|progenitors"),
          "generic", "other_stem", None),
]

_BY_KEY = {e.key: e for e in ENTRIES}
MASTER = re.compile("|".join(f"(?P<{e.key}>{e.pattern})" for e in ENTRIES))


def entry(key: str) -> Entry:
    return _BY_KEY[key]


# Scanning goes through fastre.Alternation (same result as MASTER, ~15x faster: see that module).
_FAST = Alternation([(e.key, e.pattern) for e in ENTRIES], hints={"msc_abbr": "MSC"})


def scan(text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
    """The lexicon's mentions in ``text``: the leftmost-first matches of :data:`MASTER`."""
    return _FAST.scan(text, pos, endpos)


# A mention whose words before it make the product the patients' *setting* rather than the trial's product: "GVHD
# after allogeneic HSCT", "prior stem cell transplant", "candidates for autologous transplantation", "no MSCs". Such
# mentions never create a product. Checked on word sets (context_before), not a regex: it runs for every mention.
# Exclusion criteria are never read at all.
_CUE1 = frozenset({"after", "following", "post", "prior", "previous", "previously", "undergoing", "undergo",
                   "undergone", "underwent", "recipient", "recipients", "awaiting", "before", "failed",
                   "pre-transplant",
                   "pretransplant", "peri-transplant", "peritransplant", "collection", "apheresis", "excluded",
                   "exclude", "excluding", "exclusion", "without", "no", "non", "except", "mobilization",
                   "mobilisation", "mobilized", "mobilised", "mobilizing", "harvest", "harvesting", "harvested"})
_CUE2 = frozenset({("history", "of"), ("candidates", "for"), ("candidate", "for"), ("eligible", "for"),
                   ("ineligible", "for"), ("failure", "of"), ("complications", "of"), ("complication", "of"),
                   ("setting", "of"), ("survivors", "of"), ("survivor", "of"), ("preparation", "for"),
                   ("conditioning", "for"), ("not", "receive"), ("not", "undergo"), ("relapse", "after"),
                   ("relapsed", "after")})
_CUT = re.compile(r"[.;:]")
_GIVING = frozenset({"transplantation", "transplant", "treatment", "therapy", "injection", "injections", "infusion",
                     "infusions", "administration", "implantation", "grafting", "transfusion", "delivery", "treated",
                     "given", "received", "administered", "transplanted", "implanted", "injected", "infused", "dosed"})


def context_before(words: list[str]) -> bool:
    """True when the (up to five) words before a mention make it the patients' setting (see :data:`CONTEXT`):
    a cue word, not separated from the mention by a sentence break. Word sets, not a regex: this runs for every
    mention and must cost microseconds."""
    ws: list[str] = []
    for w in words:
        if _CUT.search(w):
            ws = []  # a sentence/clause break: earlier words belong to something else
            w = _CUT.split(w)[-1]
        w = w.strip("(),\"'").lower()
        if w:
            ws.append(w)
    cued = -1
    for i, w in enumerate(ws):
        if w in _CUE1 or w.split("-")[0] in ("post", "pre", "non") or (i + 1 < len(ws) and (w, ws[i + 1]) in _CUE2):
            cued = i
    if cued < 0:
        return False
    # "one year after transplantation of iPS cell-derived NS/PCs": the cue's object is a giving of the product
    rest = ws[cued + 1:]
    return not any(w in _GIVING and nxt in ("of", "with") for w, nxt in itertools.pairwise(rest))


# ... and the same words *after* a mention: "HSCT recipients", "stem cell mobilization/harvest/collection".
CONTEXT_AFTER = re.compile(
    r"(?i)^[\s-]*(?:cells?[\s-]+)?(?:recipients?|survivors?|candidates?|mobili[sz]\w*|harvest\w*|collection|apheresis|donors?|"
    # … and a cell word naming a disease or a measurement, not a product: "NK-cell leukemia", "T-cell count"
    r"leuk(?:a)?emi\w*|lymphom\w*|neoplas\w*|tumou?rs?|deficien\w*|carcinom\w*|cancers?|diseases?|disorders?|"
    r"syndromes?|malignan\w*|dysfunction|failure|counts?|numbers?|activity|activation|function|receptors?|ligands?|"
    r"inhibit\w*|depletion|lines?|markers?|niche|research|biology|engraftment|mobilisation|exhaustion)\b")


def _words(*alternatives: str) -> Alternation:
    """Case-insensitive whole-word alternatives, scanned fast (see fastre)."""
    return Alternation([(f"w{i}", rf"\b(?:{a})\b") for i, a in enumerate(alternatives)], re.IGNORECASE)


# Follow-up studies of earlier recipients name their product after "previously received" — not a setting there.
FOLLOW_UP = _words(r"follow[\s-]*up", r"long[\s-]*term", r"continued\s+evaluation", "extension", "registry")
# Research on cells (disease modelling, line derivation) involves no product given to anyone.
RESEARCH = _words(
    r"model(?:s|ing|ling)?", "production", r"manufactur\w*", r"convert\w*", "genetics", r"development\s+of",
    r"in\s+(?:\w+\s+){0,2}(?:iPS|iPSC|stem|pluripotent)", r"generat\w+", "derivation",
    r"deriv(?:e|ing)\s+(?:\w+\s+){0,3}lines?", r"establish\w*", r"reprogramm\w*", r"bank(?:ing)?", "biobank",
    r"in\s+vitro", r"drug\s+(?:screening|discovery|development)", r"characteri[sz]\w+", "isolation", "properties",
    r"cell\s+lines?", "mechanisms?", r"pathophysiolog\w*", r"genetic\s+basis", "research", r"phenotyp\w*",
    r"differentiation\s+of", r"study\s+of\s+\w+\s+(?:diseases?|mutations?)",
    r"induction\s+of\s+(?:\w+\s+)?pluripoten\w*", r"to\s+derive", "organoids?")
# Interventions that are an activity on participants, not something given to them ("skin biopsy", "blood sample").
NOT_PRODUCT = _words(r"biops(?:y|ies)", "samples?", "sampling", r"blood\s+(?:draw|test|collection|donation)",
                     "collection", r"cell\s+lines?", "questionnaires?", "examination", "imaging", "assessment")
ADMINISTERED = _words(r"transplant\w*", r"inject\w*", r"infus\w*", r"implant\w*", r"administ\w*",
                      r"(?:auto|allo|xeno)?-?graft\w*",
                      r"therap\w*", r"treat\w*", r"deliver\w*", r"transfus\w*", r"instill\w*", "dose[sd]?", "dosing")
