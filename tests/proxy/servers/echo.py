"""A stdio "server" that writes back every byte it reads, unchanged (for relay tests)."""

import os

while chunk := os.read(0, 65536):
    os.write(1, chunk)
