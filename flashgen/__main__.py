"""`python -m flashgen`: the same command line as the `flashgen` script."""

from flashgen.cli import main

main(prog_name="flashgen")
