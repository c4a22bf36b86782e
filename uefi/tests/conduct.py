#!/usr/bin/python3
"""conduct.py - run QEMU and act on what the guest prints: change media
through the QEMU monitor between two shell commands, then let the guest go
on by sending a key on the serial console.

    conduct.py SECONDS SERIAL_LOG STEP... -- QEMU_ARGS...

Each STEP is "MARKER|COMMAND|COMMAND...": wait until the guest has printed
MARKER (after the previous step's), send each COMMAND to the human monitor
(waiting for its prompt), then send Enter on the serial console. The
guest's serial output goes to SERIAL_LOG as it arrives. QEMU gets
"-serial" and "-monitor" here, on Unix sockets in the current directory.

Exit status: QEMU's, 124 on timeout (as timeout(1)), 125 when a step's
marker never came (QEMU powered off first).
"""
import os
import socket
import subprocess
import sys
import time


def connect(path, deadline):
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def main():
    secs = float(sys.argv[1])
    log = sys.argv[2]
    sep = sys.argv.index("--")
    steps = [a.split("|") for a in sys.argv[3:sep]]
    for p in ("serial.sock", "monitor.sock"):
        if os.path.exists(p):
            os.unlink(p)
    qemu = subprocess.Popen(sys.argv[sep + 1:] + [
        "-chardev", "socket,id=ser0,path=serial.sock,server=on,wait=on",
        "-serial", "chardev:ser0",
        "-monitor", "unix:monitor.sock,server=on,wait=off"])
    deadline = time.monotonic() + secs
    ser = connect("serial.sock", deadline)
    mon = connect("monitor.sock", deadline)
    out = open(log, "wb")
    seen = b""   # serial output not yet matched by a step
    mon_buf = b""

    def monitor(cmd):
        nonlocal mon_buf
        mon.sendall(cmd.encode() + b"\n")
        while mon_buf.count(b"(qemu) ") < 2:   # the banner's prompt, then this one's
            mon.settimeout(max(0.1, deadline - time.monotonic()))
            chunk = mon.recv(4096)
            if not chunk:
                break
            mon_buf += chunk
        # the reply: what follows the echoed command line, before the prompt
        reply = mon_buf.decode(errors="replace").replace("\r", "").split("(qemu) ")[-2]
        reply = " ".join(reply.splitlines()[1:]).strip()
        print("monitor: %s -> %s" % (cmd, reply or "ok"))
        mon_buf = b"(qemu) "

    rc = None
    step = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            qemu.kill()
            qemu.wait()
            rc = 124
            break
        ser.settimeout(min(left, 0.5))
        try:
            chunk = ser.recv(65536)
        except socket.timeout:
            chunk = None
        if chunk == b"":
            rc = qemu.wait()
            if step < len(steps):
                print("conduct: QEMU exited before %r" % steps[step][0])
                rc = 125 if rc == 0 else rc
            break
        if chunk:
            out.write(chunk)
            out.flush()
            seen += chunk
        while step < len(steps) and steps[step][0].encode() in seen:
            marker = steps[step][0].encode()
            seen = seen[seen.index(marker) + len(marker):]
            for cmd in steps[step][1:]:
                monitor(cmd)
            ser.sendall(b"\r")
            step += 1
    out.close()
    sys.exit(rc)


main()
