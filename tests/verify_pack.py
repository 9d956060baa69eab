#!/usr/bin/env python3
"""Verify a forge evidence pack and its in-toto export with code forge did not write.

Usage: verify_pack.py PACK ENVELOPE PUBLIC_PEM PRIVATE_PEM
       verify_pack.py --approval APPROVAL PACK PUBLIC_PEM

Uses only the PyPI packages `cryptography` (OpenSSL's ed25519) and `rfc8785` (JCS), and
recomputes: the JCS bytes of the pack without `integrity`, their sha256, the ed25519 signature
over them, DSSE v1's PAE of the envelope's payload, and the envelope's signature over the PAE.
With --approval: the same seal checks on a run's approval.json, and that it names the pack by
the sha256 of the pack's JCS bytes.
Exits 0 when everything holds, 1 with a message naming the first thing that does not.
"""

import base64
import hashlib
import json
import sys

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)


def fail(msg):
    print(f"verify_pack.py: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        fail(f"duplicate keys in an object: {keys}")
    return dict(pairs)


def verifies(public, sig, message):
    try:
        public.verify(sig, message)
        return True
    except InvalidSignature:
        return False


def pae(payload_type, payload):
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def load(path):
    with open(path, "rb") as f:
        return json.loads(f.read(), object_pairs_hook=no_duplicates)


def load_public(public_path):
    with open(public_path, "rb") as f:
        public = load_pem_public_key(f.read())
    if not isinstance(public, Ed25519PublicKey):
        fail("the public key is not ed25519")
    return public


def check_sealed(record, public, what):
    """The seal forge puts on a pack or an approval: JCS bytes without `integrity`, their sha256,
    and one ed25519 signature by `public` over them. Returns (sha256, key_id)."""
    raw_public = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    integrity = record.pop("integrity")
    if integrity.get("canonicalization") != "JCS (RFC 8785)":
        fail(f"canonicalization is {integrity.get('canonicalization')!r}")
    content = rfc8785.dumps(record)
    digest = hashlib.sha256(content).hexdigest()
    if digest != integrity["sha256"]:
        fail(f"sha256 of the JCS bytes is {digest}, the {what} says {integrity['sha256']}")
    entries = [s for s in integrity["signatures"] if s["algorithm"] == "ed25519"]
    if len(entries) != 1:
        fail(f"expected one ed25519 signature, found {len(entries)}")
    entry = entries[0]
    if base64.b64decode(entry["public_key"]) != raw_public:
        fail("the embedded public key is not the pinned one")
    key_id = "ed25519:" + hashlib.sha256(raw_public).hexdigest()[:16]
    if entry["key_id"] != key_id:
        fail(f"key_id is {entry['key_id']}, expected {key_id}")
    sig = base64.b64decode(entry["signature"])
    if not verifies(public, sig, content):
        fail(f"the ed25519 signature does not verify over the {what}'s JCS bytes")
    if verifies(public, sig, content + b" "):
        fail("the signature verifies over other bytes too: this check cannot fail")
    return digest, key_id


def approval(approval_path, pack_path, public_path):
    public = load_public(public_path)
    pack = load(pack_path)
    pack.pop("integrity")
    pack_digest = hashlib.sha256(rfc8785.dumps(pack)).hexdigest()
    record = load(approval_path)
    if record.get("schema") != "forge.approval/v2":
        fail(f"approval schema is {record.get('schema')!r}")
    digest, key_id = check_sealed(record, public, "approval")
    if record["pack_sha256"] != pack_digest:
        fail(f"the approval names pack {record['pack_sha256']}, the pack is {pack_digest}")
    if record["run_id"] != pack["metadata"]["run_id"]:
        fail("the approval names another run")
    print(f"verify_pack.py: ok: approval sha256 {digest}, ed25519 {key_id}, names the pack")


def main(pack_path, envelope_path, public_path, private_path):
    public = load_public(public_path)
    raw_public = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    with open(private_path, "rb") as f:
        private = load_pem_private_key(f.read(), password=None)
    if private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw) != raw_public:
        fail("the private key file does not belong to the public key file")

    pack = load(pack_path)
    if pack.get("schema") != "forge.evidence/v2":
        fail(f"schema is {pack.get('schema')!r}")
    digest, key_id = check_sealed(pack, public, "pack")

    envelope = load(envelope_path)
    if envelope["payloadType"] != "application/vnd.in-toto+json":
        fail(f"payloadType is {envelope['payloadType']!r}")
    payload = base64.b64decode(envelope["payload"])
    [esig] = envelope["signatures"]
    if esig["keyid"] != key_id:
        fail(f"envelope keyid is {esig['keyid']}, expected {key_id}")
    if not verifies(public, base64.b64decode(esig["sig"]), pae(envelope["payloadType"], payload)):
        fail("the DSSE signature does not verify over the PAE")
    statement = json.loads(payload, object_pairs_hook=no_duplicates)
    if statement["_type"] != "https://in-toto.io/Statement/v1":
        fail(f"_type is {statement['_type']!r}")
    subjects = [(s["name"], s["digest"]["sha256"]) for s in statement["subject"]]
    artifacts = [(a["path"], a["sha256"]) for a in pack["raw_evidence"]["artifacts"]]
    if subjects != artifacts:
        fail(f"subjects {subjects} are not the pack's artifacts {artifacts}")
    if statement["predicate"]["pack"]["sha256"] != digest:
        fail("the predicate names another pack")
    if statement["predicate"]["run"]["id"] != pack["metadata"]["run_id"]:
        fail("the predicate names another run")
    print(f"verify_pack.py: ok: sha256 {digest}, ed25519 {key_id}, DSSE envelope")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--approval":
        approval(*sys.argv[2:])
    elif len(sys.argv) == 5:
        main(*sys.argv[1:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
