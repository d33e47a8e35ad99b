package com.example.backupjob.selection;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The resource types AWS Backup can back up, recognised by their ARNs, each with the name AWS Backup gives the type,
 * by which the Region's opt-in settings (DescribeRegionSettings' ResourceTypeOptInPreference) key it.
 *
 * <p>Sources, checked 2026-12-04: the AWS Backup Developer Guide's "Feature availability by resource" for the types
 * and their ARNs; the AWS Backup API Reference's GetSupportedResourceTypes for the type names (Aurora,
 * CloudFormation, DocumentDB, DynamoDB, EBS, EC2, EFS, EKS, FSx, Neptune, RDS, Redshift, S3, SAP HANA on Amazon EC2,
 * Storage Gateway, Timestream, VirtualMachine); DSQL and Redshift Serverless as UpdateRegionSettings takes them
 * (the AWS provider's aws_backup_region_settings, whose opt-in keys mirror the API's). Names are compared without
 * regard to case, as the API Reference also spells FSx "FSX".
 *
 * <p>The Tagging API returns every taggable resource that carries the tags, Lambda functions and queues too; a job
 * for one of those could only fail, so the selection skips it and counts it under its type.
 */
final class SupportedResourceTypes {

    /** One kind of ARN AWS Backup backs up: the type names it may be, the service of its ARNs, its resource part. */
    private record Supported(Set<String> backupResourceTypes, String service, Pattern resource) {
        Supported(String backupResourceType, String service, String resource) {
            this(Set.of(backupResourceType), service, Pattern.compile(resource));
        }
    }

    private static final List<Supported> SUPPORTED = List.of(
            // Aurora, Amazon DocumentDB and Amazon Neptune clusters all have RDS cluster ARNs: the ARN cannot tell
            // which, so the cluster is skipped only when the Region has opted out of all three.
            new Supported(Set.of("Aurora", "DocumentDB", "Neptune"), "rds", Pattern.compile("cluster:.+")),
            new Supported("RDS", "rds", "db:.+"),
            new Supported("DSQL", "dsql", "cluster/.+"),
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

    /** The AWS Backup resource types the resource may be; empty when AWS Backup cannot back it up. */
    static Optional<Set<String>> backupResourceTypes(String arn) {
        String[] parts = arn.split(":", 6);
        if (parts.length < 6) {
            return Optional.empty();
        }
        return SUPPORTED.stream()
                .filter(type -> type.service().equals(parts[2]) && type.resource().matcher(parts[5]).matches())
                .map(Supported::backupResourceTypes)
                .findFirst();
    }

    static boolean supports(String arn) {
        return backupResourceTypes(arn).isPresent();
    }

    /**
     * Whether the Region has opted out of every type the resource may be, so that AWS Backup would not back it up.
     *
     * @param optedOut the types with a false opt-in preference in the Region, as DescribeRegionSettings names them
     */
    static boolean optedOut(Set<String> backupResourceTypes, Set<String> optedOut) {
        Set<String> out = optedOut.stream().map(type -> type.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        return backupResourceTypes.stream().allMatch(type -> out.contains(type.toLowerCase(Locale.ROOT)));
    }

    /** The name of the AWS Backup resource types a resource may be, as the log counts them: "Aurora/DocumentDB/Neptune". */
    static String name(Set<String> backupResourceTypes) {
        return backupResourceTypes.stream().sorted().collect(Collectors.joining("/"));
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
