#!/usr/bin/env python3
"""Executed Hexagon instructions per DSP function, from a qemu-hexagon log.

qemu-user 7.2 has no instruction-counting plugin in Debian (qemu-user ships no TCG plugins), but its -d log can
count: `in_asm` prints each translation block (TB) once, one line per 32-bit instruction word, and `exec,nochain`
prints one `Trace` line, with the guest pc and function symbol, every time a TB runs (nochain keeps TBs from
jumping to each other unlogged). Executed instructions = sum over Trace lines of that TB's instructions (constant
extenders, immext, are not counted as instructions). The DSP process inherits qemu's environment, so no code change
is needed:

  QEMU_LOG=in_asm,exec,nochain QEMU_LOG_FILENAME=/tmp/dsp.log accel run --delegate hexagon ...
  python3 Delegates.Hexagon/tools/insn_count.py /tmp/dsp.log

Emulated counts of the real ISA: not a timing (no pipeline, memory or HVX-context model) and not a device figure.
"""
import collections
import re
import sys

TB_START = re.compile(r"^IN: ?(\S*)")
INSN = re.compile(r"^0x([0-9a-f]+):\s+0x[0-9a-f]+\s+(.*)$")
TRACE = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/[0-9a-f]+/[0-9a-f]+\] ?(\S*)")


def count(lines):
    sizes = {}          # TB start pc -> (instructions, packets)
    executed = collections.Counter()
    packets = collections.Counter()
    runs = collections.Counter()
    current = None
    for line in lines:
        m = TB_START.match(line)
        if m:
            current = None
            continue
        m = INSN.match(line)
        if m:
            pc = int(m.group(1), 16)
            text = m.group(2)
            if current is None:
                current = pc
                sizes[current] = [0, 0]
            if not text.lstrip("{ \t").startswith("immext"):
                sizes[current][0] += 1
            if "}" in text:
                sizes[current][1] += 1
            continue
        current = None
        m = TRACE.match(line)
        if m:
            pc = int(m.group(1), 16)
            name = m.group(2) or hex(pc)
            insns, pkts = sizes.get(pc, (0, 0))
            executed[name] += insns
            packets[name] += pkts
            runs[name] += 1
    return executed, packets, runs


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: insn_count.py QEMU_LOG", file=sys.stderr)
        return 2
    with open(argv[1], errors="replace") as f:
        executed, packets, runs = count(f)
    total = sum(executed.values())
    print(f"{'function':32} {'instructions':>14} {'packets':>12} {'TB runs':>10}")
    for name, n in executed.most_common():
        print(f"{name:32} {n:14} {packets[name]:12} {runs[name]:10}")
    print(f"{'total':32} {total:14} {sum(packets.values()):12} {sum(runs.values()):10}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
