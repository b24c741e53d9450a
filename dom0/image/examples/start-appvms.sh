#!/bin/sh
# SPDX-License-Identifier: MIT
# The demo's AppVMs: `qhv create` for every domain XML file shipped beside
# this script, then `qhv list`.  /init runs it before the shell or script
# when dom0's command line has qhv.demo (scripts/demo).
dir=$(dirname "$0")
for xml in "$dir"/*.xml; do
	qhv create "$xml"
done
qhv list
