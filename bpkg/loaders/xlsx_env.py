"""Keep openpyxl on its own XML code: imported by ``app``, ``loaders`` and ``tools`` before openpyxl is.

lxml is installed for the IATI formats, and openpyxl switches to it when it is: workbooks would then be written
byte for byte differently (the bundled XLSX files are rebuilt and compared with the shipped ones) and hostile
workbooks were read measurably slower in the tests. ``OPENPYXL_LXML=True`` in the environment chooses otherwise.
"""

import os

os.environ.setdefault("OPENPYXL_LXML", "False")
