"""strider_provision.py: creates a model's AWS resources in a moto server, and guards its seeded data.

  strider_provision.py SPEC.json
      Creates (idempotently, with boto3) every resource of the spec at AWS_ENDPOINT_URL and prints
      ONE JSON line:
        {"tables": {"orders": {"arn": .., "stream_arn": ..|null}}, "buckets": {"b1": "arn:aws:s3:::b1"},
         "queues": {"q": {"url": .., "arn": ..}}, "topics": {"t": arn}, "secrets": {"s": arn},
         "parameters": {"/p": arn}, "subscriptions": [{"topic": "t", "queue": "q", "arn": ..}]}
  strider_provision.py --guard SPEC.json
      Watches the seeded items and objects. For each line read on stdin it compares every one
      with its seed, puts back what changed and prints ONE JSON line:
        {"changed": [{"store": "orders", "key": {"pk": "ord_1"}, "owner": "cust-2"|null,
                      "attribute": "customerId"|null, "deleted": bool}, ..]}
      "attribute" is the first attribute (sorted) that differs; "owner" is the seed's value of
      the table's "owner" attribute. Plain HTTP to moto, one BatchGetItem per 100 items.
      A line `heal` instead: creates again, as declared, every table of the spec that is gone
      (seeded or not) and prints {"healed": [names]}.

Spec (every key optional):
  {"tables": [{"name", "hash_key", "hash_type": "S"|"N"|"B", "range_key": null, "range_type": null, "stream": bool,
               "items": [plain item, ..], "owner": "attribute"|null}],
   "buckets": ["b1"], "objects": [{"bucket", "key", "body"}], "queues": [{"name", "fifo": bool, "content_based_dedup": bool}], "topics": ["t"],
   "subscriptions": [{"topic", "queue", "raw": bool}], "secrets": [{"name", "value"}],
   "parameters": [{"name", "value", "secure": bool}]}
Plain items are JSON: strings become S, numbers N, booleans BOOL, null NULL, lists L, objects M
(a B key's value is base64 text). Tables are PAY_PER_REQUEST, with a NEW_AND_OLD_IMAGES stream when `stream` is set. A FIFO queue's
name gets ".fifo" appended if it lacks it; its result stays under the name the spec gives.
Environment: AWS_ENDPOINT_URL (required), AWS_REGION / AWS_DEFAULT_REGION (default us-east-1),
and credentials (dummy ones are set when missing).
On any failure it prints one line `strider-provision: <what failed>: <why>` to stderr and exits 2.
"""
import json
import os
import sys


class Failure(Exception):
    pass


def fail(what, why):
    raise Failure("%s: %s" % (what, why))


def why(e):
    """A one-line reason from a botocore/boto3 or other exception."""
    resp = getattr(e, "response", None)
    if isinstance(resp, dict) and "Error" in resp:
        err = resp["Error"]
        return "%s: %s" % (err.get("Code"), err.get("Message"))
    return ("%s: %s" % (type(e).__name__, e)).replace("\n", " ")


def error_code(e):
    resp = getattr(e, "response", None)
    return resp.get("Error", {}).get("Code") if isinstance(resp, dict) else None


def load_spec(path):
    try:
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
    except (OSError, ValueError) as e:
        fail("read spec %s" % path, why(e))
    if not isinstance(spec, dict):
        fail("read spec %s" % path, "not a JSON object")
    return spec


def environment():
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        fail("environment", "AWS_ENDPOINT_URL is not set (refusing to talk to real AWS)")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIASTRIDERPROVISION")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "strider-provision")
    return endpoint.rstrip("/"), region


def typed(value, binary=False):
    """A plain JSON value in DynamoDB's typed JSON."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": repr(value)}
    if isinstance(value, str):
        return {"B": value} if binary else {"S": value}
    if isinstance(value, list):
        return {"L": [typed(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {k: typed(v) for k, v in value.items()}}
    fail("seeded item", "cannot store %r" % (value,))


def typed_item(table, item):
    binary = {table.get("hash_key")} if table.get("hash_type") == "B" else set()
    if table.get("range_type") == "B":
        binary.add(table.get("range_key"))
    return {k: typed(v, k in binary) for k, v in item.items()}


def key_of(table, item):
    names = [table["hash_key"]] + ([table["range_key"]] if table.get("range_key") else [])
    return {n: item[n] for n in names}


def canonical(value):
    """Typed JSON compared by meaning: numbers as numbers, sets unordered."""
    from decimal import Decimal, InvalidOperation
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "N":
                try:
                    v = str(Decimal(v).normalize())
                except (InvalidOperation, TypeError):
                    pass
            elif k == "NS":
                v = sorted(str(Decimal(x).normalize()) for x in v)
            elif k in ("SS", "BS"):
                v = sorted(v)
            else:
                v = canonical(v)
            out[k] = v
        return out
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def queue_name(q):
    name = q["name"]
    if q.get("fifo") and not name.endswith(".fifo"):
        name += ".fifo"
    return name


# ------------------------------------------------------------------ provisioning (boto3)
def provision(spec):
    endpoint, region = environment()
    import boto3
    from botocore.config import Config
    session = boto3.session.Session(region_name=region)
    config = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=30)
    clients = {}

    def client(service):  # created on first use: each costs tens of ms
        if service not in clients:
            clients[service] = session.client(service, endpoint_url=endpoint, config=config)
        return clients[service]

    out = {"tables": {}, "buckets": {}, "queues": {}, "topics": {}, "secrets": {}, "parameters": {},
           "subscriptions": []}
    step = ["start"]

    def doing(what):
        step[0] = what

    try:
        for t in spec.get("tables") or []:
            name = t["name"]
            doing("create table %s" % name)
            ddb = client("dynamodb")
            keys = [("HASH", t["hash_key"], t.get("hash_type") or "S")]
            if t.get("range_key"):
                keys.append(("RANGE", t["range_key"], t.get("range_type") or "S"))
            args = {
                "TableName": name,
                "KeySchema": [{"AttributeName": k, "KeyType": kt} for kt, k, _ in keys],
                "AttributeDefinitions": [{"AttributeName": k, "AttributeType": ty} for _, k, ty in keys],
                "BillingMode": "PAY_PER_REQUEST",
            }
            stream = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
            if t.get("stream"):
                args["StreamSpecification"] = stream
            try:
                desc = ddb.create_table(**args)["TableDescription"]
            except Exception as e:
                if error_code(e) != "ResourceInUseException":
                    raise
                desc = ddb.describe_table(TableName=name)["Table"]
                if t.get("stream") and not desc.get("LatestStreamArn"):
                    desc = ddb.update_table(TableName=name, StreamSpecification=stream)["TableDescription"]
            out["tables"][name] = {"arn": desc["TableArn"], "stream_arn": desc.get("LatestStreamArn")}
            plain = Moto(endpoint, region) if t.get("items") else None
            for item in t.get("items") or []:
                # Through the same plain JSON as the guard's checks and restores: boto3 would
                # base64-encode a B value that already is base64 text.
                doing("seed an item of table %s" % name)
                status, data = ddb_call(plain, "PutItem", {"TableName": name, "Item": typed_item(t, item)})
                if status != 200:
                    fail(step[0], "HTTP %d %s" % (status, str(data)[:200]))

        for b in spec.get("buckets") or []:
            doing("create bucket %s" % b)
            args = {"Bucket": b}
            if region != "us-east-1":
                args["CreateBucketConfiguration"] = {"LocationConstraint": region}
            try:
                client("s3").create_bucket(**args)
            except Exception as e:
                if error_code(e) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
            out["buckets"][b] = "arn:aws:s3:::%s" % b

        for o in spec.get("objects") or []:
            doing("seed object %s of bucket %s" % (o["key"], o["bucket"]))
            client("s3").put_object(Bucket=o["bucket"], Key=o["key"], Body=o["body"].encode("utf-8"))

        queue_arns = {}
        for q in spec.get("queues") or []:
            name = queue_name(q)
            doing("create queue %s" % name)
            sqs = client("sqs")
            attrs = {}
            if q.get("fifo"):
                attrs["FifoQueue"] = "true"
                if q.get("content_based_dedup"):
                    attrs["ContentBasedDeduplication"] = "true"
            try:
                queue_url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
            except Exception as e:
                if error_code(e) not in ("QueueAlreadyExists", "QueueNameExists"):
                    raise
                queue_url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            out["queues"][q["name"]] = {"url": queue_url, "arn": arn}
            queue_arns[q["name"]] = queue_arns[name] = arn

        topic_arns = {}
        for t in spec.get("topics") or []:
            doing("create topic %s" % t)
            attrs = {"FifoTopic": "true"} if t.endswith(".fifo") else {}
            arn = client("sns").create_topic(Name=t, Attributes=attrs)["TopicArn"]
            out["topics"][t] = topic_arns[t] = arn

        for s in spec.get("subscriptions") or []:
            topic, queue = s["topic"], s["queue"]
            doing("subscribe queue %s to topic %s" % (queue, topic))
            if topic not in topic_arns:
                fail(step[0], "topic %s is not in the spec's topics" % topic)
            if queue not in queue_arns:
                fail(step[0], "queue %s is not in the spec's queues" % queue)
            sns = client("sns")
            sub_arn = None
            for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arns[topic]):
                for sub in page.get("Subscriptions", []):
                    if sub.get("Protocol") == "sqs" and sub.get("Endpoint") == queue_arns[queue]:
                        sub_arn = sub["SubscriptionArn"]
            if sub_arn is None:
                attrs = {"RawMessageDelivery": "true"} if s.get("raw") else {}
                sub_arn = sns.subscribe(TopicArn=topic_arns[topic], Protocol="sqs", Endpoint=queue_arns[queue],
                                        Attributes=attrs, ReturnSubscriptionArn=True)["SubscriptionArn"]
            out["subscriptions"].append({"topic": topic, "queue": queue, "arn": sub_arn})

        for s in spec.get("secrets") or []:
            name = s["name"]
            doing("create secret %s" % name)
            sm = client("secretsmanager")
            value = s.get("value")
            value = value if isinstance(value, str) else json.dumps(value)
            try:
                arn = sm.create_secret(Name=name, SecretString=value)["ARN"]
            except Exception as e:
                if error_code(e) != "ResourceExistsException":
                    raise
                arn = sm.put_secret_value(SecretId=name, SecretString=value)["ARN"]
            out["secrets"][name] = arn

        for p in spec.get("parameters") or []:
            name = p["name"]
            doing("put parameter %s" % name)
            ssm = client("ssm")
            value = p.get("value")
            ssm.put_parameter(Name=name, Value=value if isinstance(value, str) else json.dumps(value),
                              Type="SecureString" if p.get("secure") else "String", Overwrite=True)
            out["parameters"][name] = ssm.get_parameter(Name=name)["Parameter"]["ARN"]
    except Failure:
        raise
    except (KeyError, TypeError, AttributeError) as e:
        fail(step[0], "bad spec entry (%s)" % why(e))
    except Exception as e:
        fail(step[0], why(e))
    return out


class Moto:
    """Unsigned requests to moto. It routes them by the service in the credential scope."""

    def __init__(self, endpoint, region):
        from urllib.parse import urlsplit
        u = urlsplit(endpoint)
        if u.scheme != "http":
            fail("the emulator's endpoint", "AWS_ENDPOINT_URL must be http:// (moto), not %s" % endpoint)
        self.host, self.port, self.region = u.hostname, u.port or 80, region
        self.akid = os.environ.get("AWS_ACCESS_KEY_ID")
        import time
        self.stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())

    def request(self, service, method, path, body=b"", headers=None):
        import http.client
        h = {
            "Authorization": "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=host;x-amz-date, Signature=%s"
                             % (self.akid, self.stamp[:8], self.region, service, "0" * 64),
            "X-Amz-Date": self.stamp,
            "Host": "%s:%d" % (self.host, self.port),
        }
        h.update(headers or {})
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body, h)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()


# ------------------------------------------------------------------ guard (plain HTTP)
def ddb_call(moto, target, request):
    status, body = moto.request("dynamodb", "POST", "/", json.dumps(request).encode(), {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + target})
    data = json.loads(body or b"{}")
    return status, data


def recreate_table(moto, t):
    """A table the event deleted: created again as the model declares it, with its stream (its
    seeds are put back by the caller)."""
    keys = [("HASH", t["hash_key"], t.get("hash_type") or "S")]
    if t.get("range_key"):
        keys.append(("RANGE", t["range_key"], t.get("range_type") or "S"))
    request = {
        "TableName": t["name"], "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": k, "KeyType": kt} for kt, k, _ in keys],
        "AttributeDefinitions": [{"AttributeName": k, "AttributeType": ty} for _, k, ty in keys]}
    if t.get("stream"):
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    status, data = ddb_call(moto, "CreateTable", request)
    # In use: the handler's own work created it again meanwhile; the seeds go back all the same.
    if status != 200 and "ResourceInUseException" not in str(data.get("__type", "")):
        fail("recreate table %s" % t["name"], "HTTP %d %s" % (status, str(data)[:200]))


def plain_scalar(value):
    """A typed S, N or B value as plain JSON (B stays base64 text); None for anything else."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    (kind, v), = value.items()
    if kind in ("S", "B"):
        return v
    if kind == "N":
        return int(v) if v.lstrip("-").isdigit() else float(v)
    return None


def plain_key(key):
    return {name: plain_scalar(value) for name, value in key.items()}


def watched(spec):
    """The seeds in the forms every check compares: per table, each seed typed, its key and both
    canonical; per object, its path and bytes. Made once, not per event."""
    from urllib.parse import quote
    tables = []
    for t in spec.get("tables") or []:
        seeds = []
        for item in t.get("items") or []:
            seed = typed_item(t, item)
            key = key_of(t, seed)
            seeds.append((seed, canonical(seed), key, json.dumps(canonical(key), sort_keys=True)))
        if seeds:
            tables.append((t, seeds))
    objects = [(o, "/%s/%s" % (quote(o["bucket"], safe=""), quote(o["key"], safe="/")), o["body"].encode("utf-8"))
               for o in spec.get("objects") or []]
    return tables, objects


def heal(spec, moto):
    """The tables of the spec an event deleted, created again (a seeded one gets its seeds back
    at the next check)."""
    declared = {t["name"]: t for t in spec.get("tables") or []}
    existing, start = set(), None
    while True:
        status, data = ddb_call(moto, "ListTables", {"ExclusiveStartTableName": start} if start else {})
        if status != 200:
            fail("list tables", "HTTP %d %s" % (status, str(data)[:200]))
        existing.update(data.get("TableNames", []))
        start = data.get("LastEvaluatedTableName")
        if not start:
            break
    healed = sorted(name for name in declared if name not in existing)
    for name in healed:
        recreate_table(moto, declared[name])
    return {"healed": healed}


def guard(watch, moto):
    """Compares every seeded item and object with its seed; puts back what changed."""
    from urllib.parse import quote
    tables, objects = watch
    changed = []
    for t, seeds in tables:
        owner = t.get("owner")
        found, missing_table = {}, False
        for start in range(0, len(seeds), 100):
            keys = [key for _, _, key, _ in seeds[start:start + 100]]
            while keys:
                status, data = ddb_call(moto, "BatchGetItem", {
                    "RequestItems": {t["name"]: {"Keys": keys, "ConsistentRead": True}}})
                if status == 400 and "ResourceNotFoundException" in str(data.get("__type", "")):
                    missing_table = True
                    break
                if status != 200:
                    fail("guard table %s" % t["name"], "HTTP %d %s" % (status, str(data)[:200]))
                for item in data.get("Responses", {}).get(t["name"], []):
                    found[json.dumps(canonical(key_of(t, item)), sort_keys=True)] = item
                keys = data.get("UnprocessedKeys", {}).get(t["name"], {}).get("Keys", [])
            if missing_table:
                break
        if missing_table:
            recreate_table(moto, t)
        for seed, seed_canonical, key, key_text in seeds:
            now = found.get(key_text)
            if now is not None and canonical(now) == seed_canonical:
                continue
            attribute = None
            if now is not None:
                names = sorted(set(seed) | set(now))
                attribute = next((n for n in names if canonical(seed.get(n)) != canonical(now.get(n))), None)
            changed.append({"store": t["name"], "key": plain_key(key),
                            "owner": plain_scalar(seed.get(owner)) if owner else None,
                            "attribute": attribute, "deleted": now is None})
            status, data = ddb_call(moto, "PutItem", {"TableName": t["name"], "Item": seed})
            if status != 200:
                fail("restore an item of table %s" % t["name"], "HTTP %d %s" % (status, str(data)[:200]))
    for o, path, body in objects:
        status, now = moto.request("s3", "GET", path)
        if status == 200 and now == body:
            continue
        changed.append({"store": o["bucket"], "key": {"key": o["key"]}, "owner": None,
                        "attribute": None if status != 200 else "content", "deleted": status != 200})
        if status == 404 and b"NoSuchBucket" in now:
            moto.request("s3", "PUT", "/%s" % quote(o["bucket"], safe=""))
        status, answer = moto.request("s3", "PUT", path, body)
        if status != 200:
            fail("restore object %s" % o["key"], "HTTP %d %s" % (status, answer[:200].decode("utf-8", "replace")))
    return {"changed": changed}


def main(argv):
    args = argv[1:]
    try:
        if args and args[0] == "--guard":
            if len(args) != 2:
                fail("usage", "strider_provision.py --guard SPEC.json")
            spec = load_spec(args[1])
            moto = Moto(*environment())
            try:
                watch = watched(spec)
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                fail("guard", "bad spec entry (%s)" % why(e))
            for line in sys.stdin:
                try:
                    answer = heal(spec, moto) if line.strip() == "heal" else guard(watch, moto)
                except Failure:
                    raise
                except (KeyError, TypeError, ValueError, AttributeError) as e:
                    fail("guard", "bad spec entry (%s)" % why(e))
                except Exception as e:
                    fail("guard", why(e))
                sys.stdout.write(json.dumps(answer, sort_keys=True, separators=(",", ":")) + "\n")
                sys.stdout.flush()
        elif len(args) == 1:
            print(json.dumps(provision(load_spec(args[0])), sort_keys=True, separators=(",", ":")))
        else:
            fail("usage", "strider_provision.py SPEC.json | --guard SPEC.json")
    except Failure as e:
        sys.stderr.write("strider-provision: %s\n" % str(e).replace("\n", " "))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
