"""``python -m wai_contract`` runs the command line."""

from .cli import main

main()
