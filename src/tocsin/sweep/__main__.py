"""`python -m tocsin.sweep ...`: the sweep command on its own (the benchmark runs it this way)."""

from tocsin.sweep.cli import app

if __name__ == "__main__":
    app(prog_name="tocsin-sweep")
