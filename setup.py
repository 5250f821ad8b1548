# Copyright (c) a2jt_mmpose contributors. All rights reserved.
# Everything is declared in setup.cfg; this file exists for `setup.py develop`,
# the editable install that mim can see (it cannot follow PEP 660 installs).
from setuptools import setup

setup()
