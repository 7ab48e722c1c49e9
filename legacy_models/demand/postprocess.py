"""Weekly demand forecast - step 3: the report for the planners, one line per store."""

import os

import pandas as pd

PREDICTIONS = "/opt/ml/processing/input/predictions/predictions.csv"
REPORT = "/opt/ml/processing/output/report.csv"


def report(predictions):
    predictions = predictions.assign(
        abs_error=(predictions["forecast"] - predictions["units"]).abs()
    )
    summary = predictions.groupby("store").agg(
        weeks=("week", "count"),
        units=("units", "sum"),
        forecast=("forecast", "sum"),
        mean_abs_error=("abs_error", "mean"),
    )
    summary["forecast"] = summary["forecast"].round(2)
    summary["mean_abs_error"] = summary["mean_abs_error"].round(2)
    return summary.reset_index()


def main():
    predictions = pd.read_csv(PREDICTIONS)
    os.makedirs(os.path.dirname(REPORT), exist_ok=True)
    report(predictions).to_csv(REPORT, index=False)
    print("report written")


if __name__ == "__main__":
    main()
