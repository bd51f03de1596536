"""Peer: the `lifetimes` package, doing what `tier clv` does: the calibration summary from the
transactions (days, whole export as calibration), BG/NBD and Gamma-Gamma fits, and per-customer
P(alive), expected purchases and undiscounted CLV over 365 days (`tier clv --unit day`). Prints the fitted parameters.
Usage: peer_lifetimes.py FILE.csv"""
import sys

import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data

tx = pd.read_csv(sys.argv[1], usecols=["customer_id", "order_date", "amount"])
# tier's purchase day: a day with at least one non-negative line, valued at the day's net.
days = tx.groupby(["customer_id", "order_date"], as_index=False).agg(
    amount=("amount", "sum"), largest=("amount", "max"))
days = days[days["largest"] >= 0]
s = summary_data_from_transaction_data(days, "customer_id", "order_date", monetary_value_col="amount", freq="D")
bg = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
gg = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
s["p_alive"] = bg.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
s["expected"] = bg.conditional_expected_number_of_purchases_up_to_time(365, s["frequency"], s["recency"], s["T"])
spend = gg.conditional_expected_average_profit(s["frequency"], s["monetary_value"])
s["clv"] = s["expected"] * spend
print("bgnbd", dict(bg.params_))
print("gamma_gamma", dict(gg.params_))
