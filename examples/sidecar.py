"""Check and consume through a Tollgate sidecar (docs/sidecar.md) with Python's standard library alone.

Run the sidecar beside the application first:

    java -jar tollgate-server.jar sidecar --upstream https://tollgate.internal --api-key "$TOLLGATE_API_KEY"

then: python3 examples/sidecar.py [customer] [boolean feature] [metered feature]
The sidecar listens on 127.0.0.1 and asks no key of the application (TOLLGATE_SIDECAR_URL overrides its address).
"""

import json
import os
import sys
import urllib.error
import urllib.request
import uuid

SIDECAR = os.environ.get("TOLLGATE_SIDECAR_URL", "http://127.0.0.1:8081")


def post(path, body):
    """POSTs body as JSON; answers (status, parsed JSON). A refusal (4xx, 5xx) is an answer too."""
    request = urllib.request.Request(
        SIDECAR + path,
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)


def main(customer="acme", feature="sso", metered="queries"):
    status, check = post("/v1/check", {"customerId": customer, "feature": feature})
    print(f"check {feature}: status={status} allowed={check['allowed']} source={check['source']}")

    # one key per unit of work: a retry with the same key is answered the first answer and counted once
    key = "example-" + uuid.uuid4().hex
    status, consume = post(
        "/v1/consume", {"customerId": customer, "feature": metered, "quantity": 1, "idempotencyKey": key}
    )
    print(
        f"consume {metered}: status={status} allowed={consume['allowed']}"
        f" recorded={consume['recorded']} source={consume['source']}"
    )
    if not consume["allowed"]:
        print(f"refused: {consume['reason']}")

    status, bad = post("/v1/check", {"customerId": customer})
    print(f"bad check: status={status} code={bad['error']['code']} field={bad['error']['field']}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
