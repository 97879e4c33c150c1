"""Python's email package as a differential peer for the mail parsers' fuzz targets.

Reads one JSON request per line on stdin and writes one JSON answer per line, so one
process serves a whole fuzz run. Requests:

  {"op": "message", "data": <base64 of the message>}
      -> {"tree": node, "headers": [[name, unfolded value], ...]},
         node = {"type", "params", "parts"?, "message"?, "body"? (base64)}
  {"op": "words", "text": <header value>}
      -> {"text": <value with RFC 2047 encoded words decoded>}
  {"op": "addresses", "text": <address list>}
      -> {"addresses": [[display name, addr-spec], ...]}

Any exception inside Python is answered as {"error": "..."}, never a crash.
"""

import base64
import email
import email.header
import email.policy
import email.utils
import json
import re
import sys


def node(part):
    """The normalized meaning of one MIME entity, as the fuzz target compares it."""
    # RFC 2231 values come back as (charset, language, text) triples; collapsing them is
    # Python's own second step, done here so that meanings are compared.
    params = part.get_params() or []
    out = {
        "type": part.get_content_type(),
        "params": {
            k.lower(): email.utils.collapse_rfc2231_value(v) for k, v in params[1:]
        },
    }
    if part.is_multipart():
        payload = part.get_payload()
        if part.get_content_maintype() == "message":
            out["message"] = node(payload[0]) if payload else None
        else:
            out["parts"] = [node(p) for p in payload]
    else:
        body = part.get_payload(decode=True)
        out["body"] = base64.b64encode(body or b"").decode("ascii")
    return out


def decode_words(text):
    return str(email.header.make_header(email.header.decode_header(text)))


def answer(request):
    op = request["op"]
    if op == "message":
        message = email.message_from_bytes(
            base64.b64decode(request["data"]), policy=email.policy.compat32
        )
        # Every top-level field, in order, unfolded (RFC 5322 2.2.3: a line break before
        # white space is removed) and trimmed, as lib/mail reports fields.
        headers = [
            [name, re.sub(r"\r?\n(?=[ \t])", "", str(value)).strip()]
            for name, value in message.items()
        ]
        return {"tree": node(message), "headers": headers}
    if op == "words":
        return {"text": decode_words(request["text"])}
    if op == "addresses":
        # getaddresses leaves RFC 2047 encoded words in names; decoding them is a second
        # step in Python's API, done here so that meanings are compared.
        pairs = email.utils.getaddresses([request["text"]])
        return {"addresses": [[decode_words(name), addr] for name, addr in pairs]}
    return {"error": f"unknown op {op!r}"}


def main():
    for line in sys.stdin:
        try:
            reply = answer(json.loads(line))
        except Exception as error:  # the peer's own failure is data, not a crash
            reply = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
