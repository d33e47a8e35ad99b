"""Sends a custom resource of a deployed template the request CloudFormation sends it, to its inline handler.

Usage: python3 custom_resource.py DEPLOYED_JSON LOGICAL_ID RESPONSE_URL [REQUEST_JSON]
DEPLOYED_JSON is the output of `transform.py ... --resolve-parameters`. The resource's ServiceToken must be the Arn
of an AWS::Lambda::Function of that template whose code is inline (Code.ZipFile, as CloudFormation stores it in
index.py). Its properties are resolved as CloudFormation resolves them: parameters already are, a reference to
another resource becomes a stand-in physical id and an attribute a stand-in value, each the same in every deploy
(CloudFormation keeps them until it replaces the resource), and every scalar becomes a string. REQUEST_JSON
overrides fields of the request (RequestType is Create unless it says otherwise). The handler must answer by PUT to
RESPONSE_URL; this prints the request it was sent, as JSON.

This stands in for CloudFormation itself, which no local tool provides; the handler is the template's own code.
"""
import contextlib
import importlib
import json
import sys
import tempfile
import uuid

STACK_ID = "arn:aws:cloudformation:eu-west-1:123456789012:stack/start-backup-job/0a1b2c3d-4e5f-6789-abcd-ef0123456789"


class Context:
    """The part of the Lambda context a custom resource handler reads."""

    function_name = "custom-resource-handler"
    log_stream_name = "2026/12/05/[$LATEST]0123456789abcdef0123456789abcdef"
    aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self):
        return 10_000


def as_deployed(value, path):
    """The value CloudFormation passes for a resolved property: strings, with resources' stand-ins."""
    if isinstance(value, dict):
        if list(value) == ["Ref"]:
            return f"{value['Ref']}-physical-id"
        if list(value) == ["Fn::GetAtt"]:
            resource, attribute = value["Fn::GetAtt"]
            return f"{resource}-{attribute}"
        if len(value) == 1 and next(iter(value)).startswith("Fn::"):
            raise SystemExit(f"{path} holds {value}, which this stand-in for CloudFormation does not resolve")
        return {key: as_deployed(item, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [as_deployed(item, f"{path}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def inline_handler(resources, service_token):
    function_id, attribute = service_token["Fn::GetAtt"]
    function = resources[function_id]
    properties = function["Properties"]
    if attribute != "Arn" or function["Type"] != "AWS::Lambda::Function" or "ZipFile" not in properties["Code"]:
        raise SystemExit(f"The ServiceToken {service_token} is not the Arn of a function with inline code")
    module, name = properties["Handler"].rsplit(".", 1)
    if module != "index":
        raise SystemExit(f"Inline code is stored as index.py, so the handler {properties['Handler']} is never found")
    directory = tempfile.mkdtemp()
    with open(f"{directory}/index.py", "w", encoding="utf-8") as file:
        file.write(properties["Code"]["ZipFile"])
    sys.path.insert(0, directory)
    return getattr(importlib.import_module(module), name)


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        resources = json.load(file)["Resources"]
    logical_id, response_url = sys.argv[2], sys.argv[3]
    overrides = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    resource = resources[logical_id]
    properties = as_deployed(resource["Properties"], logical_id)
    request = {
        "RequestType": "Create",
        "ServiceToken": properties["ServiceToken"],
        "ResponseURL": response_url,
        "StackId": STACK_ID,
        "RequestId": str(uuid.uuid4()),
        "LogicalResourceId": logical_id,
        "ResourceType": resource["Type"],
        "ResourceProperties": properties,
    }
    request.update(overrides)
    handler = inline_handler(resources, resource["Properties"]["ServiceToken"])
    # What the handler prints goes to its log, not into the request this prints.
    with contextlib.redirect_stdout(sys.stderr):
        handler(request, Context())
    json.dump(request, sys.stdout)


if __name__ == "__main__":
    main()
