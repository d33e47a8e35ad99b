package com.example.backupjob.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The configuration digest's inline handler answers CloudFormation as a custom resource must: a digest on Create and
 * Update, FAILED (a failed, rolled back deploy) when it has none, and success on every Delete.
 */
class ConfigurationDigestTest {

    private static final String DIGEST = "StartBackupJobConfigurationDigest";
    private static final JsonNode DEPLOYED = SamTranslator.resolved(Map.of());

    @Test
    void answersCreateByPutToTheResponseUrlWithTheDigestAsAttribute() {
        // when
        InlineCustomResource.Exchange create = InlineCustomResource.create(DEPLOYED, DIGEST);

        // then
        assertThat(create.method()).isEqualTo("PUT");
        // The response URL is presigned for an empty Content-Type; urllib's default would break the signature.
        assertThat(create.contentType()).isEmpty();
        assertThat(create.status()).isEqualTo("SUCCESS");
        assertThat(create.attribute("Sha256")).matches("[0-9a-f]{64}");
        assertThat(create.response().path("PhysicalResourceId").asText()).isNotBlank();
        for (String field : new String[] {"StackId", "RequestId", "LogicalResourceId"}) {
            assertThat(create.response().path(field)).as(field).isEqualTo(create.request().path(field));
        }
    }

    @Test
    void anUpdateWithTheSameConfigurationGivesTheSameDigestAndKeepsThePhysicalId() {
        // given
        InlineCustomResource.Exchange create = InlineCustomResource.create(DEPLOYED, DIGEST);
        String physicalId = create.response().path("PhysicalResourceId").asText();

        // when: a new id would make CloudFormation delete the old resource as if it had been replaced
        InlineCustomResource.Exchange update = InlineCustomResource.send(DEPLOYED, DIGEST, Map.of(
                "RequestType", "Update",
                "PhysicalResourceId", physicalId,
                "OldResourceProperties", create.request().path("ResourceProperties")));

        // then
        assertThat(update.status()).isEqualTo("SUCCESS");
        assertThat(update.attribute("Sha256")).isEqualTo(create.attribute("Sha256"));
        assertThat(update.response().path("PhysicalResourceId").asText()).isEqualTo(physicalId);
    }

    @Test
    void theDigestTakesTheConfigurationOnlyNotTheServiceProperties() {
        // given: CloudFormation adds ServiceToken and ServiceTimeout to the properties it sends
        InlineCustomResource.Exchange create = InlineCustomResource.create(DEPLOYED, DIGEST);
        Map<String, Object> otherService = Map.of("ResourceProperties", Map.of(
                "ServiceToken", "arn:aws:lambda:eu-west-1:123456789012:function:other",
                "ServiceTimeout", "60",
                "Configuration", create.request().at("/ResourceProperties/Configuration")));

        // when
        InlineCustomResource.Exchange again = InlineCustomResource.send(DEPLOYED, DIGEST, otherService);

        // then
        assertThat(again.attribute("Sha256")).isEqualTo(create.attribute("Sha256"));
    }

    @Test
    void failsTheDeployWhenThereIsNoConfigurationToDigest() {
        // when
        InlineCustomResource.Exchange create = InlineCustomResource.send(DEPLOYED, DIGEST,
                Map.of("ResourceProperties",
                        Map.of("ServiceToken", "arn:aws:lambda:eu-west-1:123456789012:function:x")));

        // then
        assertThat(create.status()).isEqualTo("FAILED");
        assertThat(create.response().path("Reason").asText()).contains("No digest of the configuration");
        assertThat(create.response().path("Data").has("Sha256")).isFalse();
    }

    @Test
    void aDeleteAlwaysSucceeds() {
        // when: even with properties it could not digest, as after a failed Create
        InlineCustomResource.Exchange delete = InlineCustomResource.send(DEPLOYED, DIGEST, Map.of(
                "RequestType", "Delete",
                "PhysicalResourceId", "StartBackupJobConfigurationDigest",
                "ResourceProperties", Map.of()));

        // then
        assertThat(delete.status()).isEqualTo("SUCCESS");
        assertThat(delete.response().path("PhysicalResourceId").asText())
                .isEqualTo("StartBackupJobConfigurationDigest");
    }

    @Test
    void aHandlerThatNeverAnswersFailsTheDeployWithinTheServiceTimeout() {
        // CloudFormation waits an hour for an answer unless told otherwise; the function must end well before that.
        JsonNode digest = SamTranslator.resource(DEPLOYED, DIGEST).path("Properties");
        JsonNode function = SamTranslator.resource(DEPLOYED, "ConfigurationDigestFunction").path("Properties");

        assertThat(digest.path("ServiceTimeout").asInt()).isBetween(1, 300)
                .isGreaterThan(function.path("Timeout").asInt());
    }
}
