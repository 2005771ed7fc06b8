"""What `lattica-tray status --json` reads, read with the official Python client instead:
credits, the transaction history, the account (for the token's expiry), the models and the
active workers of each model. Prints them as one JSON line. Run by scripts/bench-cli.sh."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../tests/python"))
import heavy_stubs  # noqa: E402,F401

from lattica_studio import LatticaStudio  # noqa: E402

with LatticaStudio(os.environ["LATTICA_TOKEN"]) as studio:
    credits = studio.finance.get_credits()
    payments = studio.finance.list_transactions()
    account = studio.account.get()
    models = studio._http.call("api/model/list_models")["models"]
    running = sum(len(studio.workers.active(m["modelId"])) for m in models)
print(json.dumps({
    "balance": str(credits),
    "payments": len(payments),
    "tokenExpiresAt": account.get("authExpDate"),
    "runningWorkers": running,
}))
