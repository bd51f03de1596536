#!/usr/bin/env python3
"""Writes a synthetic export in the shape of the UCI Online Retail data set, at its real size.

Usage: python3 scripts/gen_online_retail.py OUT.csv [--rows 541909] [--seed 1]

The columns and cell formats are those of the public file (InvoiceNo, StockCode, Description,
Quantity, InvoiceDate as `M/D/YYYY H:MM`, UnitPrice, CustomerID as `17850.0`, Country): invoices
of several lines, about a quarter of the lines without a customer id, `C` credit invoices with
negative quantities, descriptions with commas (quoted), a few zero prices, and 13 months of dates
(2010-12-01 .. 2011-12-09). The rows are made up (a fixed seed), so the file can be checked in any
clone: it is for trying `tier` on a real-sized export of that shape, not for its numbers.
"""

import argparse
import csv
import datetime as dt
import random

COUNTRIES = ["United Kingdom"] * 12 + ["Germany", "France", "EIRE", "Spain", "Netherlands"]
WORDS = ["WHITE", "HANGING", "HEART", "T-LIGHT", "HOLDER", "METAL", "LANTERN", "CREAM", "CUPID",
         "HEARTS", "COAT", "HANGER", "KNITTED", "UNION", "FLAG", "HOT", "WATER", "BOTTLE", "RED",
         "WOOLLY", "HOTTIE", "SET", "OF", "7", "BABUSHKA", "NESTING", "BOXES", "GLASS", "STAR",
         "FROSTED", "PINK", "VINTAGE", "JUMBO", "BAG", "RETROSPOT", "LUNCH", "BOX"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=541909)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    products = []
    for i in range(3684):
        words = rng.sample(WORDS, rng.randint(2, 5))
        name = " ".join(words)
        if rng.random() < 0.05:
            name = name.replace(" ", ", ", 1)
        code = str(20000 + i) + (rng.choice("ABCDE") if rng.random() < 0.2 else "")
        price = round(rng.lognormvariate(1.0, 0.8), 2)
        products.append((code, name, price))
    customers = [(12346 + i, rng.choice(COUNTRIES), rng.paretovariate(1.2)) for i in range(4372)]
    weights = [c[2] for c in customers]
    start = dt.datetime(2010, 12, 1, 8, 26)
    span_minutes = int((dt.datetime(2011, 12, 9, 12, 50) - start).total_seconds() // 60)
    sizes = []
    while sum(sizes) < args.rows:
        sizes.append(max(1, int(rng.expovariate(1 / 20))))
    sizes[-1] -= sum(sizes) - args.rows
    stamps = sorted(rng.randrange(span_minutes) for _ in sizes)
    invoice = 536365
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate",
                    "UnitPrice", "CustomerID", "Country"])
        for minute, size in zip(stamps, sizes):
            when = start + dt.timedelta(minutes=minute)
            date = f"{when.month}/{when.day}/{when.year} {when.hour}:{when.minute:02d}"
            anonymous = rng.random() < 0.25
            cid, country, _ = rng.choices(customers, weights)[0]
            credit = rng.random() < 0.02
            number = ("C" if credit else "") + str(invoice)
            invoice += 1
            for _ in range(size):
                code, name, price = rng.choice(products)
                qty = max(1, int(rng.expovariate(1 / 10)))
                if rng.random() < 0.002:
                    price = 0.0
                w.writerow([number, code, name, -qty if credit else qty, date, f"{price:g}",
                            "" if anonymous else f"{cid}.0", country])


if __name__ == "__main__":
    main()
