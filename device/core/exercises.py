"""What each prompt asks for, with its evidence in one line (DESIGN.md section 3).

The one source of truth: coaching picks from it (``instructions`` travel in
``prompt`` events), the dashboard's Exercises page shows it. Keys are stable
(they are stored in events and named in ``coaching.exercises``); names,
instructions and evidence may be reworded.
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
             "Heels on the floor, pull your toes up towards your shins, then point them down: "
             "about 30 a minute for 60 seconds.",
             "Pulling the foot up (dorsiflexion) raises blood flow in the popliteal and femoral veins "
             "several-fold (Stein 2009; Li 2022, doi 10.1177/00469580221105989)."),
    Exercise("heel_raises", "Heel raises",
             "Press down on your knees with your hands and lift your heels 20 times, toes staying down.",
             "Calf work against resistance empties the calf veins best (Hitos 2007, "
             "doi 10.1111/j.1538-7836.2007.02664.x; Tsuda 2017)."),
    Exercise("seated_marches", "Seated marches",
             "Sitting tall, lift one knee then the other, 20 to 30 times per leg.",
             "Leg blood flow falls within 10–20 minutes of still sitting; moving the legs restores it "
             "(Vranish 2018)."),
    Exercise("ankle_circles", "Ankle circles",
             "Lift one foot a little and draw circles with it, 15 seconds each way, then the other foot.",
             "Ankle movement drives the calf muscle pump that returns blood from the legs (Stein 2009; Li 2022)."),
)}

WALK = Exercise("walk", "Stand up and walk",
                "Get up and walk for 2 to 5 minutes: to the kitchen, up the stairs, around the room.",
                "Hourly 5-minute walks kept leg artery function (FMD) while sitting alone lost it "
                "(Thosar 2015, doi 10.1249/MSS.0000000000000479); 2-minute walks every 20 minutes cut "
                "glucose and insulin by about a quarter (Dunstan 2012, doi 10.2337/dc11-1931).")

NOT_MEDICAL_ADVICE = ("deskpulse is not medical advice and not a medical device. If you have had a blood "
                      "clot (DVT or pulmonary embolism), or have a condition that affects your circulation, "
                      "ask a clinician which exercises suit you.")


def seated_rotation(keys: tuple[str, ...]) -> tuple[Exercise, ...]:
    """The configured rotation; unknown keys are a config mistake, reported by name."""
    unknown = [k for k in keys if k not in SEATED]
    if unknown:
        raise ValueError(f"unknown exercise {unknown[0]!r} (known: {', '.join(SEATED)})")
    return tuple(SEATED[k] for k in keys) or tuple(SEATED.values())
