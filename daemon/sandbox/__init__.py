"""The engine sandbox: third-party native model and media code runs in worker processes
that the kernel keeps off the network, talking to the daemon over an inherited socketpair."""
