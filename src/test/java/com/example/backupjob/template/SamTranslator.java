package com.example.backupjob.template;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    private static final Map<Deploy, JsonNode> TRANSFORMED = new ConcurrentHashMap<>();

    /** One run of the translator: which template, with which parameters, references resolved or not. */
    private record Deploy(Path template, Map<String, String> parameters, boolean resolveParameters) {
    }

    private SamTranslator() {
    }

    /** The deployed template with the default parameters. */
    static JsonNode deployed() {
        return deployed(Map.of());
    }

    /** The deployed template with these parameters changed from their defaults. */
    static JsonNode deployed(Map<String, String> changedParameters) {
        return deployed(CloudFormationTemplates.TEMPLATE, changedParameters);
    }

    /** The deployed template made from another template file (a variant of template.yaml) with these parameters. */
    static JsonNode deployed(Path template, Map<String, String> changedParameters) {
        return TRANSFORMED.computeIfAbsent(new Deploy(template, parameters(changedParameters), false),
                SamTranslator::transform);
    }

    /**
     * The deployed template with these parameters changed, every reference to a parameter or to the Region's pseudo
     * parameters replaced by its value (the translator's own resolver, as CloudFormation resolves them when it
     * deploys); references to resources, Fn::GetAtt and Fn::If stay as they are.
     */
    static JsonNode resolved(Map<String, String> changedParameters) {
        return TRANSFORMED.computeIfAbsent(
                new Deploy(CloudFormationTemplates.TEMPLATE, parameters(changedParameters), true),
                SamTranslator::transform);
    }

    /** The resource of this logical id in a deployed template; fails if there is none. */
    static JsonNode resource(JsonNode deployed, String logicalId) {
        JsonNode resource = deployed.path("Resources").path(logicalId);
        if (resource.isMissingNode()) {
            fail("The deployed template has no resource " + logicalId + "; it has " + deployed.path("Resources"));
        }
        return resource;
    }

    private static Map<String, String> parameters(Map<String, String> changedParameters) {
        Map<String, String> parameters = new TreeMap<>(REQUIRED_PARAMETERS);
        parameters.putAll(changedParameters);
        return Map.copyOf(parameters);
    }

    private static JsonNode transform(Deploy deploy) {
        try {
            Path output = Files.createTempFile("sam-transform", ".json");
            try {
                List<String> command = new ArrayList<>(List.of("python3", SCRIPT.toString(),
                        deploy.template().toString(), JSON.writeValueAsString(new TreeMap<>(deploy.parameters()))));
                if (deploy.resolveParameters()) {
                    command.add("--resolve-parameters");
                }
                Process process = new ProcessBuilder(command)
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
