"""One module per `reader` subcommand; `reader.cli` registers them."""
