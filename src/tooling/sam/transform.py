"""Transforms template.yaml as CloudFormation's AWS::Serverless-2016-10-31 transform does, after `sam package`.

Usage: python3 transform.py TEMPLATE [PARAMETERS_JSON] [--resolve-parameters]; prints the CloudFormation template as
JSON. The translator is the aws-sam-translator package that cfn-lint installs; local CodeUri and DefinitionUri values
become s3:// URIs, as `sam package` makes them, since the transform accepts no local paths.

--resolve-parameters then puts the deploy's parameter values (the given ones, else the defaults) and the Region's
pseudo parameters in place of their references in Resources and Outputs, with the translator's own resolver, as
CloudFormation does when it deploys; references to resources, Fn::GetAtt and Fn::If stay.
"""
import json
import os
import sys

from samtranslator.intrinsics.resolver import IntrinsicsResolver
from samtranslator.sdk.parameter import SamParameterValues
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

RESOLVE_PARAMETERS = "--resolve-parameters"


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


def resolved(deployed, parameters):
    values = SamParameterValues(parameters)
    values.add_default_parameter_values(deployed)
    values.add_pseudo_parameter_values()
    # CloudFormation hands every parameter value over as a string, a Number's default included.
    resolver = IntrinsicsResolver({name: str(value) for name, value in values.parameter_values.items()})
    for section in ("Resources", "Outputs"):
        if section in deployed:
            deployed[section] = resolver.resolve_parameter_refs(deployed[section])
    return deployed


def main():
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    arguments = [argument for argument in sys.argv[1:] if argument != RESOLVE_PARAMETERS]
    with open(arguments[0], encoding="utf-8") as file:
        template = packaged(yaml_parse(file.read()))
    parameters = json.loads(arguments[1]) if len(arguments) > 1 else {}
    deployed = transform(template, dict(parameters), NoManagedPolicies())
    if RESOLVE_PARAMETERS in sys.argv:
        deployed = resolved(deployed, parameters)
    json.dump(deployed, sys.stdout, indent=1, sort_keys=True, default=str)


if __name__ == "__main__":
    main()
