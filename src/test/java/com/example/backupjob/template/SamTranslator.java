package com.example.backupjob.template;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What CloudFormation creates from template.yaml: the AWS SAM translator (aws-sam-translator, installed with cfn-lint)
 * transforms it after {@code sam package}, as CloudFormation's AWS::Serverless-2016-10-31 transform does.
 */
final class SamTranslator {

    /** The one parameter without a default, set to a well-formed role in every deploy the tests make. */
    static final Map<String, String> REQUIRED_PARAMETERS =
            Map.of("BackupRoleArn", "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole");

    private static final Path SCRIPT = Path.of("src", "tooling", "sam", "transform.py");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Map<String, String>, JsonNode> TRANSFORMED = new ConcurrentHashMap<>();

    private SamTranslator() {
    }

    /** The deployed template with the default parameters. */
    static JsonNode deployed() {
        return deployed(Map.of());
    }

    /** The deployed template with these parameters changed from their defaults. */
    static JsonNode deployed(Map<String, String> changedParameters) {
        Map<String, String> parameters = new TreeMap<>(REQUIRED_PARAMETERS);
        parameters.putAll(changedParameters);
        return TRANSFORMED.computeIfAbsent(parameters, SamTranslator::transform);
    }

    /** The resource of this logical id in a deployed template; fails if there is none. */
    static JsonNode resource(JsonNode deployed, String logicalId) {
        JsonNode resource = deployed.path("Resources").path(logicalId);
        if (resource.isMissingNode()) {
            fail("The deployed template has no resource " + logicalId + "; it has " + deployed.path("Resources"));
        }
        return resource;
    }

    private static JsonNode transform(Map<String, String> parameters) {
        try {
            Path output = Files.createTempFile("sam-transform", ".json");
            try {
                Process process = new ProcessBuilder("python3", SCRIPT.toString(),
                        CloudFormationTemplates.TEMPLATE.toString(), JSON.writeValueAsString(parameters))
                        .redirectOutput(output.toFile())
                        .redirectError(ProcessBuilder.Redirect.PIPE)
                        .start();
                String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(2, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    return fail("The SAM translator did not finish within 2 minutes");
                }
                if (process.exitValue() != 0) {
                    return fail("The SAM translator failed (install cfn-lint, which brings aws-sam-translator, for "
                            + "python3): " + errors);
                }
                return JSON.readTree(output.toFile());
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            return fail("python3 could not run the SAM translator: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("Interrupted while the SAM translator ran");
        }
    }
}
