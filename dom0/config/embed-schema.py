#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""embed-schema.py IN.rng OUT.c - compile the RelaxNG schema into qhvconfig.

The library validates against the text it was built with, so a program
never depends on finding share/qhv/qhv-domain.rng at run time.
"""
import sys

src, out = sys.argv[1], sys.argv[2]
data = open(src, 'rb').read()
lines = []
for raw in data.split(b'\n'):
    s = ''.join(chr(c) if 0x20 <= c < 0x7f and c not in (0x22, 0x5c)
                else '\\%03o' % c for c in raw)
    lines.append('\t"%s\\n"' % s)
with open(out, 'w') as f:
    f.write('/* Generated from %s by embed-schema.py: do not edit. */\n'
            % src.rsplit('/', 1)[-1])
    f.write('extern const char qhv_config_schema_text[];\n')
    f.write('const char qhv_config_schema_text[] =\n')
    f.write('\n'.join(lines) + ';\n')
