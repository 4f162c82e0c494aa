"""datagrams.dropped: what the kernel dropped because the socket's receive
buffer was full (SO_RXQ_OVFL) is counted per listener, so that received
plus dropped is what was sent. rsyslogd is stopped (SIGSTOP) while a burst
arrives at a small receive buffer, then continued; the kernel reports the
drops with the next datagram received."""
import signal
import time

from harness import Rsyslog, check, fail, log, v5_datagram

BURST = 400


def total(r, key):
    return sum(int(c.get(key, 0)) for c in r.counters().values())


with Rsyslog(inputs='port="0" rcvbufSize="4096"') as r:
    flows = [{"src": "10.0.0.1", "dst": "192.0.2.1", "sport": 1000}]
    r.send([v5_datagram(flows, seq=0)])
    r.wait_counter("datagrams.received", 1)
    r.proc.send_signal(signal.SIGSTOP)
    try:
        r.send([v5_datagram(flows, seq=1 + i) for i in range(BURST)], pace=0.0001)
    finally:
        r.proc.send_signal(signal.SIGCONT)
    r.wait_counter("datagrams.received", 2)
    time.sleep(0.5)
    r.send([v5_datagram(flows, seq=1 + BURST)])  # brings the kernel's count of what it dropped
    sent = BURST + 2
    deadline = time.time() + 15
    while total(r, "datagrams.received") + total(r, "datagrams.dropped") < sent:
        if time.time() >= deadline:
            break
        time.sleep(0.1)
    received, dropped = total(r, "datagrams.received"), total(r, "datagrams.dropped")
    log("sent", sent, "received", received, "dropped", dropped)
    if received + dropped != sent:
        fail("received %d + dropped %d != sent %d" % (received, dropped, sent))
    check(dropped > 0, "the burst did not overflow the receive buffer: nothing to count")
    check(received >= 2, "the datagrams around the burst were not received")
log("PASS")
