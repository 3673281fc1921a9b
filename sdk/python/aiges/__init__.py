"""AIGES compatibility: `aiges.*` module paths used by existing wrapper.py files, backed by
`athena_wrapper`. An unmodified AIGES wrapper imports these and runs on Athena."""
