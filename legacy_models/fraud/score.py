"""Card fraud screening - score each transaction with the fitted logistic weights."""

import argparse
import csv
import json
import logging
import math

logging.basicConfig(filename="score.log", level=logging.INFO, format="%(levelname)s %(message)s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--features", default="/opt/ml/processing/input/features.csv")
    parser.add_argument("--scores", default="/opt/ml/processing/output/scores.csv")
    args = parser.parse_args()
    with open("weights.json") as handle:
        weights = json.load(handle)
    with open(args.features, newline="") as source, open(args.scores, "w", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(["id", "score"])
        count = 0
        for row in csv.DictReader(source):
            terms = (weights[name] * float(row[name]) for name in weights["inputs"])
            z = weights["bias"] + sum(terms)
            writer.writerow([row["id"], f"{1 / (1 + math.exp(-z)):.4f}"])
            count += 1
    logging.info("scored %d transactions", count)


if __name__ == "__main__":
    main()
