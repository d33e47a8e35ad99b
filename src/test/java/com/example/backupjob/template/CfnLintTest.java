package com.example.backupjob.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cfn-lint (with the SAM translator) has the last word on the template and the state machine definition. */
class CfnLintTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void templatePassesCfnLint() throws Exception {
        Lint lint = cfnLint(CloudFormationTemplates.TEMPLATE);

        assertThat(lint.output()).as("cfn-lint findings for template.yaml").isEmpty();
        assertThat(lint.exitCode()).as("cfn-lint exit code for template.yaml").isZero();
    }

    @Test
    void stateMachineDefinitionPassesCfnLint(@TempDir Path directory) throws Exception {
        // cfn-lint validates Amazon States Language only inline, and SAM uploads DefinitionUri unread: so lint the
        // file as the inline Definition of a plain state machine, with the template's substitution keys.
        Path template = directory.resolve("state-machine.json");
        Files.writeString(template, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(inlineStateMachine()));

        Lint lint = cfnLint(template);

        assertThat(lint.output()).as("cfn-lint findings for " + CloudFormationTemplates.STATE_MACHINE).isEmpty();
        assertThat(lint.exitCode()).as("cfn-lint exit code for " + CloudFormationTemplates.STATE_MACHINE).isZero();
    }

    private static ObjectNode inlineStateMachine() {
        JsonNode substitutions = CloudFormationTemplates.template()
                .at("/Resources/BackupJobStateMachine/Properties/DefinitionSubstitutions");
        ObjectNode template = JSON.createObjectNode().put("AWSTemplateFormatVersion", "2010-09-09");
        ObjectNode lintSubstitutions = JSON.createObjectNode();
        substitutions.fieldNames().forEachRemaining(name -> {
            template.with("Parameters").putObject(name).put("Type", "String");
            lintSubstitutions.putObject(name).put("Ref", name);
        });
        ObjectNode role = template.with("Resources").putObject("Role").put("Type", "AWS::IAM::Role");
        role.putObject("Properties").set("AssumeRolePolicyDocument", JSON.valueToTree(Map.of(
                "Version", "2012-10-17",
                "Statement", List.of(Map.of(
                        "Effect", "Allow",
                        "Principal", Map.of("Service", "states.amazonaws.com"),
                        "Action", "sts:AssumeRole")))));
        ObjectNode properties = template.with("Resources").putObject("StateMachine")
                .put("Type", "AWS::StepFunctions::StateMachine")
                .putObject("Properties");
        properties.putObject("RoleArn").putArray("Fn::GetAtt").add("Role").add("Arn");
        properties.set("Definition", CloudFormationTemplates.stateMachine());
        properties.set("DefinitionSubstitutions", lintSubstitutions);
        return template;
    }

    private record Lint(int exitCode, String output) {
    }

    private static Lint cfnLint(Path file) throws IOException, InterruptedException {
        // Output to a file, not a pipe, so that a long report cannot block cfn-lint before the timeout applies.
        Path output = Files.createTempFile("cfn-lint", ".txt");
        try {
            Process process;
            try {
                process = new ProcessBuilder("cfn-lint", file.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
            } catch (IOException e) {
                return fail("cfn-lint is not installed or not on the PATH (" + e.getMessage() + "): install it "
                        + "with `pip install cfn-lint` (it brings the SAM translator) so the template can be checked");
            }
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return fail("cfn-lint did not finish within 3 minutes on " + file);
            }
            return new Lint(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8).strip());
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
