"""Run every benchmark and print its figures."""

from benchmarks import (
    catalogue_writes,
    graph_metrics,
    load,
    portfolio,
    ranking,
    robustness,
    scoring_methods,
    spreadsheets,
)

if __name__ == "__main__":
    catalogue_writes.main()
    spreadsheets.main()
    graph_metrics.main()
    scoring_methods.main()
    ranking.main()
    robustness.main()
    portfolio.main()
    load.main([])  # 25 concurrent sessions against the app on the sample (a few minutes)
