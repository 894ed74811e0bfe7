"""Run every benchmark and print its figures."""

from benchmarks import catalogue_writes, spreadsheets

if __name__ == "__main__":
    catalogue_writes.main()
    spreadsheets.main()
