#!/usr/bin/env python3
"""Turns the code pages a profiled run of lattica-tray-app ran into the linker's function order.

Usage: functions.py BINARY HEADER IDLE OPENED OUTPUT

BINARY is the app built with every function at the start of a page of its own
(-align-all-functions=12), so that a function ran exactly when its first page did; HEADER,
IDLE and OPENED are what scripts/layout/touched-pages.c wrote. The order written: the
functions run by the time the app idled, then those its popover added, each group in the
binary's own order. Functions not from Rust (C code built into the binary) are not aligned;
they count as run when any page they span ran.
"""
import subprocess
import sys


def code_segment_start(binary):
    """The virtual address the executable mapping starts at (the code segment's page)."""
    for line in subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        fields = line.split()
        if fields and fields[0] == "LOAD" and "E" in "".join(fields[6:-1]):
            return int(fields[2], 16) & ~0xFFF
    sys.exit(f"functions.py: no executable segment in {binary}")


def functions(binary):
    """(address, size, symbol) of every function defined in the binary, by address."""
    listing = subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True,
                             text=True, check=True).stdout
    found = []
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[2] in "tTwW":
            found.append((int(fields[0], 16), int(fields[1], 16), fields[3]))
    return sorted(found)


def run_functions(binary, pages):
    start = code_segment_start(binary)
    run = []
    for address, size, symbol in functions(binary):
        first = (address - start) // 4096
        if address % 4096 == 0:
            ran = first in pages
        else:
            last = (address + max(size, 1) - 1 - start) // 4096
            ran = any(page in pages for page in range(first, last + 1))
        if ran:
            run.append((symbol, size))
    return run


def main():
    binary, header, idle_file, opened_file, output = sys.argv[1:6]
    pages = {name: {int(line) for line in open(path) if line.strip()}
             for name, path in (("idle", idle_file), ("opened", opened_file))}
    with open(header) as file:
        total_pages = int(file.read().split()[1])
    idle = run_functions(binary, pages["idle"])
    seen = {symbol for symbol, _ in idle}
    opened = [(s, n) for s, n in run_functions(binary, pages["opened"]) if s not in seen]
    size = lambda group: sum(n for _, n in group) / 1048576
    with open(output, "w") as file:
        file.write(
            "# The order in which the linker lays out lattica-tray-app's functions (release builds,\n"
            "# x86_64 Linux; src-tauri/build.rs): first those it runs to start and idle, then those\n"
            "# its popover adds. Written by scripts/order-functions.sh from a profiled run; do not\n"
            "# edit. Functions not listed follow in the compiler's order.\n"
            f"# {len(idle)} functions ({size(idle):.2f} MiB) run while idle, then {len(opened)}"
            f" ({size(opened):.2f} MiB) when the popover opens.\n")
        for symbol, _ in idle + opened:
            file.write(symbol + "\n")
    print(f"functions.py: {len(idle)} functions ({size(idle):.2f} MiB) run while idle, "
          f"{len(opened)} more ({size(opened):.2f} MiB) for the popover; "
          f"{len(pages['idle'])} of {total_pages} code pages ran while idle")


if __name__ == "__main__":
    main()
