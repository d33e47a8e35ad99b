package com.example.backupjob.selection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which AWS Backup resource type, by the name the Region's opt-in settings use, each ARN is. */
class SupportedResourceTypesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            arn:aws:dynamodb:eu-west-1:123456789012:table/orders                               | DynamoDB
            arn:aws:ec2:eu-west-1:123456789012:volume/vol-0a1b                                 | EBS
            arn:aws:ec2:eu-west-1:123456789012:instance/i-0c2d                                 | EC2
            arn:aws:rds:eu-west-1:123456789012:db:customers                                    | RDS
            arn:aws:rds:eu-west-1:123456789012:cluster:ledger                                  | Aurora/DocumentDB/Neptune
            arn:aws:s3:::invoices                                                              | S3
            arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-1                  | EFS
            arn:aws:fsx:eu-west-1:123456789012:file-system/fs-0123                             | FSx
            arn:aws:storagegateway:eu-west-1:123456789012:gateway/sgw-1/volume/vol-1           | Storage Gateway
            arn:aws:ssm-sap:eu-west-1:123456789012:HANA/prod/DB/hdb                            | SAP HANA on Amazon EC2
            arn:aws:redshift-serverless:eu-west-1:123456789012:namespace/0a1b                  | Redshift Serverless
            arn:aws:dsql:eu-west-1:123456789012:cluster/abc                                    | DSQL
            arn:aws:timestream:eu-west-1:123456789012:database/metrics/table/cpu               | Timestream
            arn:aws:backup-gateway:eu-west-1:123456789012:vm/vm-0123                           | VirtualMachine
            arn:aws:lambda:eu-west-1:123456789012:function:resize                              | -
            arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-12-01T00:00:00.000 | -
            """)
    void namesTheAwsBackupResourceTypeOfEachArn(String arn, String types) {
        Optional<Set<String>> found = SupportedResourceTypes.backupResourceTypes(arn);

        assertThat(found.map(SupportedResourceTypes::name).orElse("-")).isEqualTo(types);
    }

    @ParameterizedTest(name = "{0} opted out: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            FSX                       | true
            Aurora                    | false
            Aurora,DocumentDB,Neptune | true
            EBS                       | false
            """)
    void aResourceIsOptedOutWhenEveryTypeItMayBeIs(String optedOut, boolean expected) {
        Set<String> types = Set.of(optedOut.split(","));
        String arn = optedOut.equals("FSX") ? "arn:aws:fsx:eu-west-1:123456789012:file-system/fs-0123"
                : "arn:aws:rds:eu-west-1:123456789012:cluster:ledger";

        assertThat(SupportedResourceTypes.optedOut(SupportedResourceTypes.backupResourceTypes(arn).orElseThrow(),
                types)).isEqualTo(expected);
    }
}
