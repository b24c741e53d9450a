#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turn a capture-kernel serial log into binary fixture files.

ACPI tables go to ACPI_DIR as <SIG>@<physical address, hex>.bin (the RSDP
as RSDP@...bin); Multiboot1 info pieces, if MB_DIR is given, go there as
mb@<address>.bin plus a file 'magic' holding "<eax> <ebx>".
"""
import os
import sys


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: log2fixtures.py LOG ACPI_DIR [MB_DIR]")
    log, acpi_dir = sys.argv[1], sys.argv[2]
    mb_dir = sys.argv[3] if len(sys.argv) == 4 else None
    blocks, cur, magic, done = [], None, None, False
    with open(log, "rb") as f:
        for raw in f:
            line = raw.decode("ascii", "replace").strip()
            if line.startswith("M "):
                magic = line[2:]
            elif line.startswith("T "):
                _, kind, pa, ln = line.split()
                cur = [kind, int(pa, 16), int(ln, 16), bytearray()]
            elif line.startswith("D ") and cur:
                cur[3] += bytes.fromhex(line[2:])
            elif line == "E" and cur:
                if len(cur[3]) != cur[2]:
                    sys.exit(f"block at {cur[1]:#x}: {len(cur[3])} bytes, want {cur[2]}")
                blocks.append(cur)
                cur = None
            elif line == "ACPI-CAPTURE-DONE":
                done = True
    if not done:
        sys.exit("log is incomplete (no ACPI-CAPTURE-DONE)")
    os.makedirs(acpi_dir, exist_ok=True)
    seen = set()
    for kind, pa, _, data in blocks:
        if kind == "B":
            if mb_dir:
                os.makedirs(mb_dir, exist_ok=True)
                with open(os.path.join(mb_dir, f"mb@{pa:x}.bin"), "wb") as o:
                    o.write(data)
            continue
        if pa in seen:
            continue
        seen.add(pa)
        sig = "RSDP" if kind == "R" else data[:4].decode("ascii", "replace")
        with open(os.path.join(acpi_dir, f"{sig}@{pa:x}.bin"), "wb") as o:
            o.write(data)
    if mb_dir and magic:
        with open(os.path.join(mb_dir, "magic"), "w") as o:
            o.write(magic + "\n")


if __name__ == "__main__":
    main()
