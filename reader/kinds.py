"""The kinds of annotation (a module of its own so the schema loads without the record code)."""

KINDS = ("claim", "stance")
