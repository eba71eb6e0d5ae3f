#!/usr/bin/env python3
"""Writes tests/vectors/noise_attune.json: a Noise_NK_25519_ChaChaPoly_BLAKE2b
vector for exactly Attune's usage (prologue "attune-relay/1", empty handshake
payloads, then transport messages), in the cacophony JSON schema.

This is an independent implementation (Python `cryptography` + hashlib), so
the C++ test that checks the file is not checking itself. Keys come from
fixed labels: private key = BLAKE2b-256(label).

    python3 tests/noise/make_attune_vector.py > tests/vectors/noise_attune.json
"""
import hashlib
import hmac
import json
import sys

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PROTOCOL = b"Noise_NK_25519_ChaChaPoly_BLAKE2b"
PROLOGUE = b"attune-relay/1"
HASHLEN = 64


def seed(label):
    return hashlib.blake2b(label.encode(), digest_size=32).digest()


def pub(priv):
    return X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)


def dh(priv, pub_bytes):
    return X25519PrivateKey.from_private_bytes(priv).exchange(
        X25519PublicKey.from_public_bytes(pub_bytes))


def hkdf2(ck, ikm):
    temp = hmac.new(ck, ikm, hashlib.blake2b).digest()
    o1 = hmac.new(temp, b"\x01", hashlib.blake2b).digest()
    o2 = hmac.new(temp, o1 + b"\x02", hashlib.blake2b).digest()
    return o1, o2


class Cipher:
    def __init__(self, k=None):
        self.k, self.n = k, 0

    def nonce(self):
        return b"\x00" * 4 + self.n.to_bytes(8, "little")

    def enc(self, ad, pt):
        if self.k is None:
            return pt
        ct = ChaCha20Poly1305(self.k).encrypt(self.nonce(), pt, ad)
        self.n += 1
        return ct

    def dec(self, ad, ct):
        if self.k is None:
            return ct
        pt = ChaCha20Poly1305(self.k).decrypt(self.nonce(), ct, ad)
        self.n += 1
        return pt


class Symmetric:
    def __init__(self):
        self.h = PROTOCOL.ljust(HASHLEN, b"\x00")
        self.ck = self.h
        self.c = Cipher()

    def mix_hash(self, data):
        self.h = hashlib.blake2b(self.h + data).digest()

    def mix_key(self, ikm):
        self.ck, k = hkdf2(self.ck, ikm)
        self.c = Cipher(k[:32])

    def encrypt_and_hash(self, pt):
        ct = self.c.enc(self.h, pt)
        self.mix_hash(ct)
        return ct

    def decrypt_and_hash(self, ct):
        pt = self.c.dec(self.h, ct)
        self.mix_hash(ct)
        return pt

    def split(self):
        k1, k2 = hkdf2(self.ck, b"")
        return Cipher(k1[:32]), Cipher(k2[:32])


def main():
    s = seed("attune noise vector: relay static")
    e_i = seed("attune noise vector: initiator ephemeral")
    e_r = seed("attune noise vector: responder ephemeral")
    rs = pub(s)

    init, resp = Symmetric(), Symmetric()
    for st in (init, resp):
        st.mix_hash(PROLOGUE)
        st.mix_hash(rs)  # pre-message <- s
    messages = []

    # -> e, es
    m1 = pub(e_i)
    init.mix_hash(pub(e_i))
    init.mix_key(dh(e_i, rs))
    m1 += init.encrypt_and_hash(b"")
    re = m1[:32]
    resp.mix_hash(re)
    resp.mix_key(dh(s, re))
    assert resp.decrypt_and_hash(m1[32:]) == b""
    messages.append({"payload": "", "ciphertext": m1.hex()})

    # <- e, ee
    m2 = pub(e_r)
    resp.mix_hash(pub(e_r))
    resp.mix_key(dh(e_r, re))
    m2 += resp.encrypt_and_hash(b"")
    init.mix_hash(m2[:32])
    init.mix_key(dh(e_i, m2[:32]))
    assert init.decrypt_and_hash(m2[32:]) == b""
    messages.append({"payload": "", "ciphertext": m2.hex()})
    assert init.h == resp.h

    i_send, i_recv = init.split()
    r_recv, r_send = resp.split()
    payloads = [b"client frame 1", b"relay frame 1", b"", b"client frame 2 " * 20,
                b"relay frame 2"]
    for i, p in enumerate(payloads):
        send, recv = (i_send, r_recv) if i % 2 == 0 else (r_send, i_recv)
        ct = send.enc(b"", p)
        assert recv.dec(b"", ct) == p
        messages.append({"payload": p.hex(), "ciphertext": ct.hex()})

    vector = {
        "protocol_name": PROTOCOL.decode(),
        "init_prologue": PROLOGUE.hex(),
        "resp_prologue": PROLOGUE.hex(),
        "init_ephemeral": e_i.hex(),
        "init_remote_static": rs.hex(),
        "resp_static": s.hex(),
        "resp_ephemeral": e_r.hex(),
        "handshake_hash": init.h.hex(),
        "messages": messages,
    }
    json.dump({"_generator": "tests/noise/make_attune_vector.py", "vectors": [vector]},
              sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
