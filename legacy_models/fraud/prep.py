"""Card fraud screening - turn the day's transactions into model features."""

import csv
import json
from pathlib import Path

# The feature definitions live beside this script.
SPEC = json.loads((Path(__file__).parent / "features.json").read_text())

TRANSACTIONS = "/opt/ml/processing/input/transactions.csv"
FEATURES = "/opt/ml/processing/output/features.csv"


def features(row):
    amount = float(row["amount"]) / SPEC["amount_scale"]
    night = 1 if int(row["hour"]) in SPEC["night_hours"] else 0
    foreign = 0 if row["country"] == SPEC["home_country"] else 1
    return [row["id"], f"{amount:.4f}", night, foreign]


def main():
    with open(TRANSACTIONS, newline="") as handle:
        rows = list(csv.DictReader(handle))
    Path(FEATURES).parent.mkdir(parents=True, exist_ok=True)
    with open(FEATURES, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *SPEC["columns"]])
        for row in rows:
            writer.writerow(features(row))
    print(f"{len(rows)} transactions -> {FEATURES}")


if __name__ == "__main__":
    main()
