"""ICD-10 codes of the chronic-disease programmes, pure: no Django. Returns programme codes, never text.

identifiers.md "ICD-10 codes of the programmes": hypertension I10 (with organ involvement I11–I13) is in
the programme, secondary hypertension I15 is not; diabetes E10, E11, E14; COPD J44; tuberculosis A15–A19;
severe mental disorders F20, F22, F25, F31, F06 (with G40) and F70–F79. G40 (epilepsy) alone is no
programme code: it counts only paired with F06, which the programme's own rule decides.
"""
from __future__ import annotations

HYPERTENSION = "hypertension"
DIABETES = "diabetes"
COPD = "copd"
TB = "tb"
SMI = "smi"  # 严重精神障碍

# Three-character categories (the part before the dot) per programme.
PROGRAMME_CATEGORIES: dict[str, tuple[str, ...]] = {
    HYPERTENSION: ("I10", "I11", "I12", "I13"),
    DIABETES: ("E10", "E11", "E14"),
    COPD: ("J44",),
    TB: ("A15", "A16", "A17", "A18", "A19"),
    SMI: ("F06", "F20", "F22", "F25", "F31", *(f"F{n}" for n in range(70, 80))),
}


def category(code: str | None) -> str:
    """The three-character category of a code: "I10.x00" → "I10"."""
    return (code or "").strip().upper()[:3]


def programme_of(code: str | None) -> str | None:
    """The programme whose case definition the code falls under, or None."""
    cat = category(code)
    for programme, categories in PROGRAMME_CATEGORIES.items():
        if cat in categories:
            return programme
    return None
