"""API schemas, separate from the ORM rows.

``XCreate`` / ``XUpdate`` in, ``XPublic`` and ``XsPublic(data, count)`` out. Money is a decimal
string, times are ISO-8601 UTC.
"""
