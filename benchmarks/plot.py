"""Bar chart of the ratios in results.json (run by the tools virtualenv, which has matplotlib).

usage: python plot.py results.json ratios.png
"""

import json
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

THRESHOLDS = {"1": (0.4, "max"), "2": (0.6, "max"), "3": (1.0, "max"), "5": (0.2, "max")}


def main(src, dest):
    data = json.load(open(src))
    rows = [r for r in data["rows"] if r.get("ratio") is not None and "RSS" not in r["case"]]
    labels, values, colors, limits = [], [], [], []
    for r in rows:
        label = "%s. %s" % (r["bench"], r["case"])
        labels.append("\n".join(textwrap.wrap(label, 48)))
        values.append(r["ratio"])
        colors.append("#2e7d32" if r.get("met") else ("#c62828" if r.get("met") is False else "#757575"))
        limit = None
        if "throughput" in r["case"]:
            limit = 0.8
        elif r["bench"] in THRESHOLDS:
            limit = THRESHOLDS[r["bench"]][0]
        limits.append(limit)
    fig, ax = plt.subplots(figsize=(10, 0.75 * len(rows) + 1.5))
    y = list(range(len(rows)))[::-1]
    ax.barh(y, values, color=colors)
    for yi, v, lim in zip(y, values, limits):
        ax.text(v, yi, " %.2f" % v, va="center", fontsize=8)
        if lim is not None:
            ax.plot([lim, lim], [yi - 0.4, yi + 0.4], color="black", linewidth=1.5, linestyle="--")
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=7)
    ax.axvline(1.0, color="#9e9e9e", linewidth=0.8)
    ax.set_xlabel("ratio (ours / peer; throughput: ours / tar czf; 5: redeploy / first)  -- dashed: target")
    meta = data["meta"]
    when = "newest run of each benchmark" if meta.get("sources") else meta["started"]
    ax.set_title("rsconnect-jupyter vs rsconnect-python %s (%s, medians)" % (meta["peer_version"], when), fontsize=9)
    fig.tight_layout()
    fig.savefig(dest, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
