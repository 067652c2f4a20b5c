"""Agreement between annotators: the units compared, span scores, kappa and alpha, and the
inputs of `reader agree` (stores and exports of any format). No Textual here."""
