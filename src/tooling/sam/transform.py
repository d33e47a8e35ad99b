"""Transforms template.yaml as CloudFormation's AWS::Serverless-2016-10-31 transform does, after `sam package`.

Usage: python3 transform.py TEMPLATE [PARAMETERS_JSON]; prints the CloudFormation template as JSON.
The translator is the aws-sam-translator package that cfn-lint installs; local CodeUri and DefinitionUri values
become s3:// URIs, as `sam package` makes them, since the transform accepts no local paths.
"""
import json
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The template names no managed policy, so the loader the transform asks for them has none to give."""

    def load(self):
        return {}


def packaged(template):
    for name, resource in template.get("Resources", {}).items():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "DefinitionUri"):
            if isinstance(properties.get(key), str) and not properties[key].startswith("s3://"):
                properties[key] = f"s3://sam-artifacts/{name}/{key}"
    return template


def main():
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    with open(sys.argv[1], encoding="utf-8") as file:
        template = packaged(yaml_parse(file.read()))
    parameters = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    json.dump(transform(template, parameters, NoManagedPolicies()), sys.stdout, indent=1, sort_keys=True, default=str)


if __name__ == "__main__":
    main()
