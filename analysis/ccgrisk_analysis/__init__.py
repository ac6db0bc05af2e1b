"""Reading ccgrisk results files (HDF5 schema 1.x) from Python.

Uses Debian's python3-h5py and python3-numpy; run with /usr/bin/python3.
"""

from .results import Results, ResultsFileError, open_results

__all__ = ["Results", "ResultsFileError", "open_results"]
