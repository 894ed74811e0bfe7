"""Run every benchmark and print its figures."""

from benchmarks import catalogue_writes, graph_metrics, spreadsheets

if __name__ == "__main__":
    catalogue_writes.main()
    spreadsheets.main()
    graph_metrics.main()
