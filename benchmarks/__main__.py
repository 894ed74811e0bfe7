"""Run every benchmark and print its figures."""

from benchmarks import (
    catalogue_writes,
    graph_metrics,
    load,
    pages,
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
    pages.main([])  # every page at 85 and 2,000 processes; 10,000: --sizes 85,2000,10000
    load.main([])  # 25 concurrent sessions against the app on the sample (a few minutes)
