"""Weekly demand forecast - step 1: clean the sales export and build the model's features.

Reads the raw export, drops weeks without a count, adds the last two weeks' units per store.
"""

import os

import pandas as pd

RAW_SALES = "/opt/ml/processing/input/raw/sales.csv"
OUTPUT_DIR = "/opt/ml/processing/output"


def load_sales(path):
    sales = pd.read_csv(path)
    return sales.dropna(subset=["units"])


def add_features(sales):
    sales = sales.sort_values(["store", "week"]).reset_index(drop=True)
    by_store = sales.groupby("store")["units"]
    sales["lag_1"] = by_store.shift(1)
    sales["lag_2"] = by_store.shift(2)
    sales["promo"] = sales["promo"].fillna(0).astype(int)
    sales = sales.dropna(subset=["lag_1", "lag_2"])
    return sales[["store", "week", "lag_1", "lag_2", "promo", "units"]]


def main():
    features = add_features(load_sales(RAW_SALES))
    # keep a copy next to the script to look at in Excel
    features.to_csv("tmp.csv", index=False)
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    features.to_csv(os.path.join(OUTPUT_DIR, "features.csv"), index=False)
    print("features:", len(features), "rows")


if __name__ == "__main__":
    main()
