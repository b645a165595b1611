"""What each prompt asks for, with the evidence behind it (DESIGN.md section 3).

Data only: coaching picks from it, the dashboard shows it. Keys are stable
(they are stored in events); names and instructions may be reworded.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    key: str
    name: str
    instructions: str
    evidence: str

    def brief(self) -> dict[str, str]:
        return {"key": self.key, "name": self.name, "instructions": self.instructions}


SEATED: dict[str, Exercise] = {e.key: e for e in (
    Exercise("ankle_pumps", "Ankle pumps",
             "Heels down, pull your toes up, then point them down: about 30 a minute for 60 seconds.",
             "Dorsiflexion raises popliteal and femoral blood flow several-fold (Stein 2009; Li 2022)."),
    Exercise("heel_raises", "Heel raises",
             "20 heel raises, pressing down on your knees with your hands for resistance.",
             "Calf contraction against resistance helps venous return most (Hitos 2007; Tsuda 2017)."),
    Exercise("seated_marches", "Seated marches",
             "Lift each knee in turn, 20 to 30 times per leg.",
             "Rhythmic leg muscle work restarts the calf and thigh muscle pump (Stein 2009)."),
    Exercise("ankle_circles", "Ankle circles",
             "Circle each foot 15 seconds one way, 15 seconds the other.",
             "Ankle movement in every direction engages the calf pump (Li 2022)."),
)}

WALK = Exercise("walk", "Stand up and walk",
                "Stand up and walk for 2 to 5 minutes: to the window, the kitchen, up the stairs.",
                "Hourly 5-minute walks preserved leg artery function that sitting alone lost (Thosar 2015); "
                "2-minute walks every 20 minutes cut glucose and insulin by about a quarter (Dunstan 2012).")

NOT_MEDICAL_ADVICE = ("deskpulse is not medical advice. If you have had a blood clot, or have a condition "
                      "that affects your circulation, ask a clinician which exercises suit you.")


def seated_rotation(keys: tuple[str, ...]) -> tuple[Exercise, ...]:
    """The configured rotation; unknown keys are a config mistake, reported by name."""
    unknown = [k for k in keys if k not in SEATED]
    if unknown:
        raise ValueError(f"unknown exercise {unknown[0]!r} (known: {', '.join(SEATED)})")
    return tuple(SEATED[k] for k in keys) or tuple(SEATED.values())
