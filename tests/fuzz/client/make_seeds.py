#!/usr/bin/env python3
"""Writes the seed inputs of tests/fuzz/client and tests/fuzz/relay/seeds/config.

Protobuf is encoded by hand (proto3 wire format; field numbers from
proto/relay.proto, proto/pairing.proto, proto/content.proto) so the script
needs nothing but Python. Run from anywhere; it overwrites the seed files.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def vfield(num, value):
    return varint(num << 3) + varint(value)


def bfield(num, data):
    if isinstance(data, str):
        data = data.encode()
    return varint((num << 3) | 2) + varint(len(data)) + data


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def relay_frames():
    d = os.path.join(HERE, "seeds", "relay_frame")
    ok = bfield(1, vfield(1, 7) + vfield(2, 1) + vfield(5, 42))
    write(d, "response_ok.bin", ok)
    write(d, "response_ticket.bin", bfield(1, vfield(1, 8) + vfield(2, 1) + bfield(4, bytes(range(32)))))
    write(d, "response_short_ticket.bin", bfield(1, vfield(1, 8) + vfield(2, 1) + bfield(4, b"\x01" * 31)))
    write(d, "response_error.bin", bfield(1, vfield(1, 9) + vfield(2, 7) + bfield(3, "rate limited")))
    write(d, "response_unknown_code.bin", bfield(1, vfield(1, 9) + vfield(2, 99)))
    write(d, "delivery.bin", bfield(2, bfield(1, b"\xaa" * 32) + vfield(2, 3) + bfield(3, b"ciphertext")))
    write(d, "delivery_empty_blob.bin", bfield(2, bfield(1, b"\xaa" * 32) + vfield(2, 3)))
    write(d, "no_body.bin", b"")


def routing(version=1, host="relay.example.org", port=7420, name="Dr Rivera"):
    return (vfield(1, version) + bfield(2, host) + vfield(3, port) + bfield(4, b"\x09" * 32) +
            bfield(5, b"\x05" * 32) + bfield(6, b"\x06" * 32) + bfield(7, b"\x07" * 32) +
            bfield(8, name))


def routings():
    d = os.path.join(HERE, "seeds", "routing")
    write(d, "valid.bin", routing())
    write(d, "ipv6.bin", routing(host="::1", port=1))
    write(d, "version2.bin", routing(version=2))
    write(d, "port_zero.bin", routing(port=0))
    write(d, "control_in_name.bin", routing(name="Dr\x07Rivera"))


def hello(name="Sam", mailbox=b"\x01" * 32, cap=b"\x02" * 32):
    body = bfield(1, name) + bfield(2, mailbox) + bfield(3, cap)
    return bfield(1, b"\x10" * 16) + vfield(2, 1700000000) + bfield(100, body)


def hellos():
    d = os.path.join(HERE, "seeds", "contact_hello")
    write(d, "valid.bin", hello())
    write(d, "utf8_name.bin", hello(name="Zoë Müller"))
    write(d, "short_mailbox.bin", hello(mailbox=b"\x01" * 31))
    write(d, "text_body.bin", bfield(1, b"\x10" * 16) + bfield(10, bfield(1, "hi")))


def key_params(ops=3, mem=268435456, salt="00" * 16, first="attune-keyparams 1"):
    return (f"{first}\nkdf argon2id13\nsalt {salt}\nopslimit {ops}\nmemlimit {mem}\n"
            f"check {'ab' * 16}\n")


def keyparams():
    d = os.path.join(HERE, "seeds", "key_params")
    write(d, "moderate.txt", key_params())
    write(d, "interactive.txt", key_params(ops=2, mem=67108864))
    write(d, "too_weak.txt", key_params(ops=1, mem=8192))
    write(d, "newer_version.txt", key_params(first="attune-keyparams 2"))
    write(d, "upper_hex.txt", key_params(salt="AB" * 16))


def configs():
    d = os.path.join(HERE, "..", "relay", "seeds", "config")
    with open(os.path.join(HERE, "..", "..", "..", "deploy", "attune-relay.toml")) as f:
        write(d, "deploy.toml", f.read())
    write(d, "minimal.toml", '[storage]\ndata_dir = "/tmp/relay"\n')
    write(d, "small_limits.toml", '[listen]\naddress = "::1"\nport = 0\n[storage]\ndata_dir = "d"\n'
          '[mailbox]\nmax_blob_size = 1\n[limits]\nmax_frame_size = 129\n')
    write(d, "unknown_key.toml", '[storage]\ndata_dir = "d"\ndatadir = "typo"\n')
    write(d, "bad_syntax.toml", '[storage\ndata_dir = "d"\n')
    write(d, "frame_too_small.toml", '[storage]\ndata_dir = "d"\n[limits]\nmax_frame_size = 64\n')


if __name__ == "__main__":
    relay_frames()
    routings()
    hellos()
    keyparams()
    configs()
