"""The shipped NIST CSF 2.0 catalogue: NIST's own structure, ids and wording (CSWP 29, 2024-02-26).

The lists below are transcribed from the CSF 2.0 Core (Appendix A of NIST CSWP 29): 6
functions, 22 categories, 106 subcategories. Subcategory numbers have gaps where CSF 1.1
outcomes were withdrawn or moved (there is no ID.AM-06, PR.DS-03 or DE.CM-04): the ids are
checked one by one, not only counted.
"""

from __future__ import annotations

from pathlib import Path

from riskctl.framework.catalog import Catalogue, shipped, shipped_ids
from riskctl.framework.write import catalogue_text
from tests.conftest import ROOT
from tests.zipped import package_data, run_from_zip

PACKAGE = ROOT / "riskctl"
FILE = PACKAGE / "data" / "frameworks" / "nist-csf-2.0.yaml"

FUNCTIONS = {
    "GV": "Govern",
    "ID": "Identify",
    "PR": "Protect",
    "DE": "Detect",
    "RS": "Respond",
    "RC": "Recover",
}

CATEGORIES = {
    "GV.OC": "Organizational Context",
    "GV.RM": "Risk Management Strategy",
    "GV.RR": "Roles, Responsibilities, and Authorities",
    "GV.PO": "Policy",
    "GV.OV": "Oversight",
    "GV.SC": "Cybersecurity Supply Chain Risk Management",
    "ID.AM": "Asset Management",
    "ID.RA": "Risk Assessment",
    "ID.IM": "Improvement",
    "PR.AA": "Identity Management, Authentication, and Access Control",
    "PR.AT": "Awareness and Training",
    "PR.DS": "Data Security",
    "PR.PS": "Platform Security",
    "PR.IR": "Technology Infrastructure Resilience",
    "DE.CM": "Continuous Monitoring",
    "DE.AE": "Adverse Event Analysis",
    "RS.MA": "Incident Management",
    "RS.AN": "Incident Analysis",
    "RS.CO": "Incident Response Reporting and Communication",
    "RS.MI": "Incident Mitigation",
    "RC.RP": "Incident Recovery Plan Execution",
    "RC.CO": "Incident Recovery Communication",
}

#: Each category's subcategory numbers, as CSWP 29 numbers them.
SUBCATEGORY_NUMBERS = {
    "GV.OC": range(1, 6),
    "GV.RM": range(1, 8),
    "GV.RR": range(1, 5),
    "GV.PO": range(1, 3),
    "GV.OV": range(1, 4),
    "GV.SC": range(1, 11),
    "ID.AM": (1, 2, 3, 4, 5, 7, 8),
    "ID.RA": range(1, 11),
    "ID.IM": range(1, 5),
    "PR.AA": range(1, 7),
    "PR.AT": (1, 2),
    "PR.DS": (1, 2, 10, 11),
    "PR.PS": range(1, 7),
    "PR.IR": range(1, 5),
    "DE.CM": (1, 2, 3, 6, 9),
    "DE.AE": (2, 3, 4, 6, 7, 8),
    "RS.MA": range(1, 6),
    "RS.AN": (3, 6, 7, 8),
    "RS.CO": (2, 3),
    "RS.MI": (1, 2),
    "RC.RP": range(1, 7),
    "RC.CO": (3, 4),
}

SUBCATEGORIES = [
    f"{category}-{number:02d}"
    for category, numbers in SUBCATEGORY_NUMBERS.items()
    for number in numbers
]

#: A few outcome statements word for word, as CSWP 29 writes them.
WORDING = {
    "GV.OC-01": "The organizational mission is understood and informs cybersecurity risk "
    "management",
    "GV.OC-03": "Legal, regulatory, and contractual requirements regarding cybersecurity — "
    "including privacy and civil liberties obligations — are understood and managed",
    "GV.SC-10": "Cybersecurity supply chain risk management plans include provisions for "
    "activities that occur after the conclusion of a partnership or service agreement",
    "ID.AM-08": "Systems, hardware, software, services, and data are managed throughout their "
    "life cycles",
    "PR.AA-05": "Access permissions, entitlements, and authorizations are defined in a policy, "
    "managed, enforced, and reviewed, and incorporate the principles of least privilege and "
    "separation of duties",
    "PR.DS-11": "Backups of data are created, protected, maintained, and tested",
    "DE.CM-09": "Computing hardware and software, runtime environments, and their data are "
    "monitored to find potentially adverse events",
    "RS.AN-08": "An incident's magnitude is estimated and validated",
    "RC.CO-04": "Public updates on incident recovery are shared using approved methods and "
    "messaging",
}


def _csf() -> Catalogue:
    found = shipped("nist-csf-2.0")
    assert found is not None
    return found


def test_the_counts_are_nists() -> None:
    assert len(SUBCATEGORIES) == 106 and len(CATEGORIES) == 22 and len(FUNCTIONS) == 6
    csf = _csf()
    groupings = [each for each in csf.framework.requirements if not each.assessable]
    assert len(groupings) == 28
    assert len(csf.assessable()) == 106


def test_functions_and_categories_by_id_name_and_parent() -> None:
    csf = _csf()
    tops = {each.id: each.title for each in csf.framework.requirements if each.parent is None}
    assert tops == FUNCTIONS
    categories = {
        each.id: (each.title, each.parent)
        for each in csf.framework.requirements
        if each.parent in FUNCTIONS
    }
    assert categories == {key: (title, key[:2]) for key, title in CATEGORIES.items()}
    assert all(not csf.by_id[key].assessable for key in (*FUNCTIONS, *CATEGORIES))


def test_the_subcategory_ids_in_nists_order() -> None:
    csf = _csf()
    assert [each.id for each in csf.assessable()] == SUBCATEGORIES
    assert all(csf.by_id[key].parent == key[:5] for key in SUBCATEGORIES)


def test_a_few_outcome_statements_word_for_word() -> None:
    csf = _csf()
    assert {key: csf.by_id[key].title for key in WORDING} == WORDING


def test_the_file_is_what_the_emitter_writes() -> None:
    """Regenerating it with the import's writer (keeping its header) gives the same bytes."""
    text = FILE.read_text(encoding="utf-8")
    header = [line.removeprefix("# ") for line in text.splitlines() if line.startswith("#")]
    assert catalogue_text(_csf().framework, header) == text


def test_shipped_ids() -> None:
    assert "nist-csf-2.0" in shipped_ids()


def test_the_catalogue_loads_from_an_installed_package(tmp_path: Path) -> None:
    """Only the package's own files as pyproject's package data names them, zipped like a
    wheel and imported from the zip: `importlib.resources` finds the catalogue there."""
    assert "data/frameworks/nist-csf-2.0.yaml" in package_data()
    probe = (
        "import riskctl.framework.catalog as c\n"
        "csf = c.shipped('nist-csf-2.0')\n"
        "print(c.shipped_ids(), len(csf.assessable()), csf.origin)\n"
    )
    result = run_from_zip(tmp_path, probe)
    assert (result.returncode, result.stdout) == (
        0,
        "('nist-csf-2.0',) 106 riskctl/data/frameworks/nist-csf-2.0.yaml\n",
    ), result.stderr
