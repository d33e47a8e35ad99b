package com.example.backupjob.selection;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The resource types AWS Backup can back up, recognised by their ARNs, as AWS Backup's "Feature availability by
 * resource" and GetSupportedResourceTypes list them (checked 2026-12).
 *
 * <p>The Tagging API returns every taggable resource that carries the tags, Lambda functions and queues too; a job
 * for one of those could only fail, so the selection skips it and counts it under its type.
 */
final class SupportedResourceTypes {

    /** One AWS Backup resource type: the service of its ARNs and the shape of their resource part. */
    private record Supported(String backupResourceType, String service, Pattern resource) {
        Supported(String backupResourceType, String service, String resource) {
            this(backupResourceType, service, Pattern.compile(resource));
        }
    }

    private static final List<Supported> SUPPORTED = List.of(
            // Aurora, Amazon DocumentDB and Amazon Neptune clusters all have RDS cluster ARNs.
            new Supported("Aurora / DocumentDB / Neptune", "rds", "cluster:.+"),
            new Supported("RDS", "rds", "db:.+"),
            new Supported("Aurora DSQL", "dsql", "cluster/.+"),
            new Supported("CloudFormation", "cloudformation", "stack/.+"),
            new Supported("DynamoDB", "dynamodb", "table/[^/]+"),
            new Supported("EBS", "ec2", "volume/.+"),
            new Supported("EC2", "ec2", "instance/.+"),
            new Supported("EFS", "elasticfilesystem", "file-system/.+"),
            new Supported("EKS", "eks", "cluster/.+"),
            // FSx file systems, and FSx for ONTAP volumes, which a tag selection names one by one.
            new Supported("FSx", "fsx", "(file-system|volume)/.+"),
            new Supported("Redshift", "redshift", "cluster:.+"),
            new Supported("Redshift Serverless", "redshift-serverless", "namespace/.+"),
            // Bucket ARNs have no Region, no account and no resource type: arn:aws:s3:::bucket.
            new Supported("S3", "s3", "[^/]+"),
            new Supported("SAP HANA on Amazon EC2", "ssm-sap", "HANA/.+"),
            new Supported("Storage Gateway", "storagegateway", "gateway/[^/]+/volume/.+"),
            new Supported("Timestream", "timestream", "database/[^/]+/table/.+"),
            new Supported("VirtualMachine", "backup-gateway", "vm/.+"));

    private SupportedResourceTypes() {
    }

    static boolean supports(String arn) {
        String[] parts = arn.split(":", 6);
        return parts.length == 6 && SUPPORTED.stream().anyMatch(type ->
                type.service().equals(parts[2]) && type.resource().matcher(parts[5]).matches());
    }

    /**
     * The Tagging API's name of a resource's type, {@code service:type} or {@code service} (lambda:function, sqs),
     * which says what was skipped without naming the resource.
     */
    static String typeOf(String arn) {
        String[] parts = arn.split(":", 6);
        if (parts.length < 6) {
            return "unknown";
        }
        String[] resource = parts[5].split("[/:]", 2);
        return resource.length == 1 ? parts[2] : parts[2] + ":" + resource[0];
    }
}
