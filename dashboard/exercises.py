"""What each prompt asks for, with its evidence in one line (DESIGN.md section 3).

Keys match ``coaching.exercises`` in the configuration and the ``exercise.key``
of ``prompt`` events, so the Today page can name what was asked.
"""
from __future__ import annotations

EXERCISES = [
    {"key": "ankle_pumps", "name": "Ankle pumps", "when": "seated routine (30 min)",
     "how": "Heels on the floor, pull your toes up towards your shins, then point them down: "
            "about 30 a minute for 60 seconds.",
     "evidence": "Pulling the foot up (dorsiflexion) raises blood flow in the popliteal and femoral "
                 "veins several-fold (Stein 2009; Li 2022, doi 10.1177/00469580221105989)."},
    {"key": "heel_raises", "name": "Heel raises", "when": "seated routine (30 min)",
     "how": "Press down on your knees with your hands and lift your heels 20 times, toes staying down.",
     "evidence": "Calf work against resistance empties the calf veins best (Hitos 2007, "
                 "doi 10.1111/j.1538-7836.2007.02664.x; Tsuda 2017)."},
    {"key": "seated_marches", "name": "Seated marches", "when": "seated routine (30 min)",
     "how": "Sitting tall, lift one knee then the other, 20 to 30 times per leg.",
     "evidence": "Leg blood flow falls within 10–20 minutes of still sitting; moving the legs "
                 "restores it (Vranish 2018)."},
    {"key": "ankle_circles", "name": "Ankle circles", "when": "seated routine (30 min)",
     "how": "Lift one foot a little and draw circles with it, 15 seconds each way, then the other foot.",
     "evidence": "Ankle movement drives the calf muscle pump that returns blood from the legs "
                 "(Stein 2009; Li 2022)."},
    {"key": "walk", "name": "Stand up and walk", "when": "walk prompt (60 min)",
     "how": "Get up and walk for 2 to 5 minutes: to the kitchen, up the stairs, around the room.",
     "evidence": "Hourly 5-minute walks kept leg artery function (FMD) while sitting alone lost it "
                 "(Thosar 2015, doi 10.1249/MSS.0000000000000479); 2-minute walks every 20 minutes "
                 "cut glucose and insulin by about a quarter (Dunstan 2012, doi 10.2337/dc11-1931)."},
]

NAMES = {e["key"]: e["name"] for e in EXERCISES}

NOT_MEDICAL_ADVICE = ("deskpulse is not medical advice and not a medical device. If you have had a blood "
                      "clot (DVT or pulmonary embolism) or are at risk of one, ask a clinician what is "
                      "right for you.")
