"""Card fraud screening - the analysts' review list: transactions by risk band."""

import csv
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "thresholds.json")) as handle:
    THRESHOLDS = json.load(handle)

SCORES = "/opt/ml/processing/input/scores.csv"
REPORT = "/opt/ml/processing/output/report.csv"


def band(score):
    if score >= THRESHOLDS["review"]:
        return "review"
    if score >= THRESHOLDS["watch"]:
        return "watch"
    return "clear"


def main():
    with open(SCORES, newline="") as handle:
        rows = [(row["id"], float(row["score"])) for row in csv.DictReader(handle)]
    rows.sort(key=lambda item: (-item[1], item[0]))
    os.makedirs(os.path.dirname(REPORT), exist_ok=True)
    with open(REPORT, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "score", "band"])
        for identifier, score in rows:
            writer.writerow([identifier, f"{score:.4f}", band(score)])


if __name__ == "__main__":
    main()
