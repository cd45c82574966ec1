"""The BYOK journey with boto3 against the Keyward sandbox.

Usage: byok_check.py <endpoint> <region>. Prints one JSON object with what each step returned,
so that the calling test can assert on it. Uses only the sandbox's documented default accounts.
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError

ENDPOINT, REGION = sys.argv[1], sys.argv[2]
PLATFORM, CUSTOMER = "111122223333", "444455556666"
SERVICE_ROLE = f"arn:aws:iam::{PLATFORM}:role/keyward-service"
EXTERNAL_ID = "kw-boto3-check-0123456789abcdef"
CONTEXT = {"keyward:tenant": "acme", "keyward:key-version": "1"}


def client(service, key_id, secret, token=None):
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=boto3.session.Config(retries={"max_attempts": 1}),
    )


def admin(service, account):
    return client(service, f"AKIA{account}ADMN", f"sandbox-secret-{account}")


def session(credentials, service):
    return client(service, credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])


def error_of(call):
    try:
        call()
    except ClientError as error:
        return {"code": error.response["Error"]["Code"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"], "message": error.response["Error"].get("Message", "")}
    return None


out = {}
key_arn = admin("kms", CUSTOMER).create_key(Description="boto3 CMK")["KeyMetadata"]["Arn"]
iam = admin("iam", CUSTOMER)
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": SERVICE_ROLE}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}}]}
role_arn = iam.create_role(RoleName="keyward-byok", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
iam.put_role_policy(RoleName="keyward-byok", PolicyName="cmk", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kms:DescribeKey", "kms:GenerateDataKey*", "kms:Decrypt"], "Resource": key_arn}]}))
# botocore decodes IAM's URL-encoded policy documents into dicts.
out["trustPolicyDecoded"] = iam.get_role(RoleName="keyward-byok")["Role"]["AssumeRolePolicyDocument"] == trust

service = admin("sts", PLATFORM).assume_role(RoleArn=SERVICE_ROLE, RoleSessionName="keyward-platform")["Credentials"]
assumed = session(service, "sts").assume_role(RoleArn=role_arn, RoleSessionName="keyward-tenant-acme", ExternalId=EXTERNAL_ID)
out["assumedRoleArn"] = assumed["AssumedRoleUser"]["Arn"]
out["expirationIsDatetime"] = hasattr(assumed["Credentials"]["Expiration"], "isoformat")
kms = session(assumed["Credentials"], "kms")
described = kms.describe_key(KeyId=key_arn)["KeyMetadata"]
out["keyState"] = described["KeyState"]
out["creationDateIsDatetime"] = hasattr(described["CreationDate"], "isoformat")
data_key = kms.generate_data_key(KeyId=key_arn, KeySpec="AES_256", EncryptionContext=CONTEXT)
out["roundTrip"] = kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"], EncryptionContext=CONTEXT)["Plaintext"] == data_key["Plaintext"]
out["wrongContext"] = error_of(lambda: kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"], EncryptionContext={"keyward:tenant": "globex"}))
out["wrongExternalId"] = error_of(lambda: session(service, "sts").assume_role(RoleArn=role_arn, RoleSessionName="x1", ExternalId="kw-wrong-0000"))
out["platformDirect"] = error_of(lambda: session(service, "kms").describe_key(KeyId=key_arn))
print(json.dumps(out))
