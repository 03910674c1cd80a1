"""One module per `connext` subcommand: NAME, HELP, DESCRIPTION, add_arguments(), run().

Modules import only argparse-level things at import time; the heavy imports happen in
`run()`, so `connext --help` stays fast.
"""
