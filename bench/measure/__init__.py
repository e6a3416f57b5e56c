"""The measurements of bench/run.py, one subject per module: child processes (proc), generated data (data),
paths (paths), SPARQL (sparql), HTML views (viz), and the targets and the printed report (report)."""
