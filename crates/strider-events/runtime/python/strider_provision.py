"""strider_provision.py: creates a model's AWS resources in a moto server, and snapshots their data.

  strider_provision.py SPEC.json
      Creates (idempotently, with boto3) every resource of the spec at AWS_ENDPOINT_URL and prints
      ONE JSON line:
        {"tables": {"orders": {"arn": .., "stream_arn": ..|null}}, "buckets": {"b1": "arn:aws:s3:::b1"},
         "queues": {"q": {"url": .., "arn": ..}}, "topics": {"t": arn}, "secrets": {"s": arn},
         "parameters": {"/p": arn}, "subscriptions": [{"topic": "t", "queue": "q", "arn": ..}]}
  strider_provision.py --snapshot SPEC.json [--serve]
      Prints ONE JSON line with the data of the spec's tables and buckets, for comparing the
      stores before and after an invocation:
        {"tables": {"orders": [item, ..] | null}, "buckets": {"b1": [{"key", "size", "etag"}, ..] | null}}
      Items are in DynamoDB's typed JSON ({"id": {"S": "1"}}) and sorted by their canonical
      JSON. Objects are sorted by key. null means that the table or bucket no longer exists.
      This mode makes plain HTTP requests to moto, which does not check signatures, instead of
      loading boto3: about 0.05 s a run. With --serve it prints one snapshot for each line read
      on stdin and stops at EOF, which saves even that start-up.

Spec (every key optional):
  {"tables": [{"name", "hash_key", "hash_type": "S"|"N"|"B", "range_key": null, "range_type": null, "stream": bool}],
   "buckets": ["b1"], "queues": [{"name", "fifo": bool, "content_based_dedup": bool}], "topics": ["t"],
   "subscriptions": [{"topic", "queue", "raw": bool}], "secrets": [{"name", "value"}],
   "parameters": [{"name", "value", "secure": bool}]}
Tables are PAY_PER_REQUEST, with a NEW_AND_OLD_IMAGES stream when `stream` is set. A FIFO queue's
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


# ------------------------------------------------------------------ snapshot (plain HTTP)
class Moto:
    """Unsigned requests to moto. It routes them by the service in the credential scope."""

    def __init__(self, endpoint, region):
        from urllib.parse import urlsplit
        u = urlsplit(endpoint)
        if u.scheme != "http":
            fail("snapshot", "AWS_ENDPOINT_URL must be http:// (moto), not %s" % endpoint)
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


def scan_table(moto, name):
    items, start = [], None
    while True:
        req = {"TableName": name, "ConsistentRead": True}
        if start:
            req["ExclusiveStartKey"] = start
        status, body = moto.request("dynamodb", "POST", "/", json.dumps(req).encode(), {
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.Scan"})
        data = json.loads(body or b"{}")
        if status == 400 and "ResourceNotFoundException" in str(data.get("__type", "")):
            return None
        if status != 200:
            fail("scan table %s" % name, "HTTP %d %s" % (status, body[:200].decode("utf-8", "replace")))
        items.extend(data.get("Items", []))
        start = data.get("LastEvaluatedKey")
        if not start:
            break
    keyed = [(json.dumps(i, sort_keys=True, separators=(",", ":")), i) for i in items]
    keyed.sort(key=lambda x: x[0])
    return [i for _, i in keyed]


def list_bucket(moto, bucket):
    import xml.etree.ElementTree as ET
    from urllib.parse import quote
    ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
    objects, token = [], None
    while True:
        path = "/%s?list-type=2" % quote(bucket, safe="")
        if token:
            path += "&continuation-token=" + quote(token, safe="")
        status, body = moto.request("s3", "GET", path)
        if status == 404 and b"NoSuchBucket" in body:
            return None
        if status != 200:
            fail("list bucket %s" % bucket, "HTTP %d %s" % (status, body[:200].decode("utf-8", "replace")))
        root = ET.fromstring(body)
        for c in root.iter(ns + "Contents"):
            objects.append({"key": c.findtext(ns + "Key"), "size": int(c.findtext(ns + "Size") or 0),
                            "etag": (c.findtext(ns + "ETag") or "").strip('"')})
        token = root.findtext(ns + "NextContinuationToken")
        if root.findtext(ns + "IsTruncated") != "true" or not token:
            break
    objects.sort(key=lambda o: o["key"])
    return objects


def snapshot(spec, moto):
    try:
        return {
            "tables": {t["name"]: scan_table(moto, t["name"]) for t in spec.get("tables") or []},
            "buckets": {b: list_bucket(moto, b) for b in spec.get("buckets") or []},
        }
    except Failure:
        raise
    except (KeyError, TypeError) as e:
        fail("snapshot", "bad spec entry (%s)" % why(e))
    except Exception as e:
        fail("snapshot", why(e))


def main(argv):
    args = argv[1:]
    try:
        if args and args[0] == "--snapshot":
            if len(args) not in (2, 3) or (len(args) == 3 and args[2] != "--serve"):
                fail("usage", "strider_provision.py --snapshot SPEC.json [--serve]")
            spec = load_spec(args[1])
            moto = Moto(*environment())
            if len(args) == 2:
                print(json.dumps(snapshot(spec, moto), sort_keys=True, separators=(",", ":")))
            else:
                for _ in sys.stdin:
                    sys.stdout.write(json.dumps(snapshot(spec, moto), sort_keys=True, separators=(",", ":")) + "\n")
                    sys.stdout.flush()
        elif len(args) == 1:
            print(json.dumps(provision(load_spec(args[0])), sort_keys=True, separators=(",", ":")))
        else:
            fail("usage", "strider_provision.py SPEC.json | --snapshot SPEC.json [--serve]")
    except Failure as e:
        sys.stderr.write("strider-provision: %s\n" % str(e).replace("\n", " "))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
