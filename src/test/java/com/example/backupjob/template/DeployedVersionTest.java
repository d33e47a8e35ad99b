package com.example.backupjob.template;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Contract section 1, "Deployed configuration": any change of a parameter or template value that reaches the aliased
 * function's configuration publishes a new version and moves the alias. The deploys are made by the AWS SAM
 * translator (SAM names the version after what it hashes) and by the template's configuration digest, whose inline
 * handler answers the request CloudFormation sends (CloudFormation replaces a version whose Description changed).
 */
class DeployedVersionTest {

    private static final String FUNCTION = "StartBackupJobFunction";
    private static final Pattern SUB_ATTRIBUTE = Pattern.compile("\\$\\{([^.}]+)\\.([^}]+)}");

    /** A value each parameter accepts, other than its default (BackupRoleArn's: other than the tests' role). */
    private static final Map<String, String> CHANGED = Map.ofEntries(
            entry("BackupVaultName", "Other-vault"),
            entry("BackupRoleArn", "arn:aws:iam::123456789012:role/OtherBackupRole"),
            entry("BackupDefaults", "{\"StartWindowMinutes\":120}"),
            entry("IdempotencyTtl", "PT2H"),
            entry("StartBackupJobRate", "10"),
            entry("RequestMaxAgeMinutes", "1440"),
            entry("DryRun", "true"),
            entry("ScheduledResourceArn", "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"),
            entry("ScheduleExpression", "rate(1 hour)"),
            entry("ScheduleTimezone", "Europe/Dublin"),
            entry("RuleScheduleExpression", "rate(1 day)"),
            entry("SelectionTags", "{\"backup\":[\"nightly\"]}"),
            entry("SelectionResourceTypes", "[\"dynamodb:table\"]"),
            entry("SelectionScheduleExpression", "rate(12 hours)"),
            entry("SelectionScheduleTimezone", "Europe/Dublin"),
            entry("AlarmTopicArn", "arn:aws:sns:eu-west-1:123456789012:alarms"),
            entry("LogRetentionDays", "90"),
            entry("CopyDestinationVaultArns", "arn:aws:backup:eu-central-1:123456789012:backup-vault:disaster-recovery"),
            entry("CopyLifecycle", "{\"DeleteAfterDays\":35}"),
            entry("StartCopyJobRate", "10"));

    /**
     * The exceptions: parameters that reach no configuration of the aliased function, only schedules, the selection
     * function (which has no alias: its triggers run its latest configuration), alarms and log retention. Their
     * change may keep the version, and does.
     */
    private static final Set<String> REACH_NO_FUNCTION_CONFIGURATION = Set.of("RequestMaxAgeMinutes",
            "ScheduledResourceArn", "ScheduleExpression", "ScheduleTimezone", "RuleScheduleExpression",
            "SelectionTags", "SelectionResourceTypes", "SelectionScheduleExpression", "SelectionScheduleTimezone",
            "AlarmTopicArn", "LogRetentionDays", "CopyDestinationVaultArns", "CopyLifecycle", "StartCopyJobRate");

    /** What a deploy changing only this parameter also needs, else CloudFormation refuses it (the template's Rules). */
    private static final Map<String, Map<String, String>> DEPLOYED_WITH = Map.of(
            "RuleScheduleExpression",
            Map.of("BackupDefaults", "{\"ResourceArn\":\"arn:aws:dynamodb:eu-west-1:123456789012:table/orders\"}"));

    /** A version resource of the function. */
    private record Version(String logicalId, JsonNode properties) {
    }

    /** What tells CloudFormation whether a deploy's version is the last deploy's: logical id and Description. */
    private record DeployedVersion(String logicalId, String description) {
    }

    @Test
    void everyParameterOfTheTemplateHasAChangedValueItAccepts() {
        JsonNode parameters = SamTranslator.deployed().path("Parameters");

        assertThat(new TreeSet<>(CHANGED.keySet())).isEqualTo(fieldNames(parameters));
        CHANGED.forEach((name, value) -> {
            JsonNode parameter = parameters.path(name);
            String before = parameter.has("Default") ? parameter.path("Default").asText()
                    : SamTranslator.REQUIRED_PARAMETERS.get(name);
            assertThat(value).as(name).isNotEqualTo(before);
            if (parameter.has("AllowedPattern")) {
                assertThat(value).as(name).matches(parameter.path("AllowedPattern").asText());
            }
            if (parameter.has("AllowedValues")) {
                assertThat(parameter.path("AllowedValues")).as(name).extracting(JsonNode::asText).contains(value);
            }
        });
    }

    @Test
    void theExceptionsAreExactlyTheParametersTheDeployedFunctionDoesNotReference() {
        JsonNode deployed = SamTranslator.deployed();
        Set<String> referenced = References.names(SamTranslator.resource(deployed, FUNCTION).path("Properties"));
        Set<String> unreferenced = fieldNames(deployed.path("Parameters"));
        unreferenced.removeAll(referenced);

        assertThat(unreferenced).isEqualTo(new TreeSet<>(REACH_NO_FUNCTION_CONFIGURATION));
    }

    @ParameterizedTest
    @MethodSource("parametersReachingTheFunction")
    void changingOneParameterThatReachesTheFunctionPublishesANewVersion(String parameter) {
        List<DeployedVersion> versions = versionsBeforeAndAfterChanging(parameter);

        assertThat(versions.get(1)).as("the version deployed after changing %s alone", parameter)
                .isNotEqualTo(versions.get(0));
    }

    @ParameterizedTest
    @MethodSource("parametersReachingNoFunctionConfiguration")
    void changingOneParameterThatReachesNoFunctionConfigurationKeepsTheVersion(String parameter) {
        List<DeployedVersion> versions = versionsBeforeAndAfterChanging(parameter);

        assertThat(versions.get(1)).as("the version deployed after changing %s alone", parameter)
                .isEqualTo(versions.get(0));
    }

    /** The version deployed with the parameter at a valid first value, then with only that parameter changed. */
    private static List<DeployedVersion> versionsBeforeAndAfterChanging(String parameter) {
        Map<String, String> before = deployedWith(parameter);
        Map<String, String> after = new HashMap<>(before);
        after.put(parameter, CHANGED.get(parameter));
        return List.of(deployedVersion(before), deployedVersion(after));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templateChanges")
    void changingATemplateValueOfTheFunctionsConfigurationPublishesANewVersion(String change, String text,
            String replacement, @TempDir Path directory) throws IOException {
        // given
        String template = Files.readString(CloudFormationTemplates.TEMPLATE);
        assertThat(template.split(Pattern.quote(text), -1).length - 1)
                .as("places %s is written in template.yaml", text).isEqualTo(1);
        Path changed = directory.resolve("template.yaml");
        Files.writeString(changed, template.replace(text, replacement));

        // when
        String last = version(SamTranslator.deployed(Map.of())).logicalId();
        String next = version(SamTranslator.deployed(changed, Map.of())).logicalId();

        // then
        assertThat(next).as("the version's logical id after the change of %s", change).isNotEqualTo(last);
    }

    @Test
    void theDigestCoversEveryValueCloudFormationResolvesInTheFunctionsConfiguration() {
        // given: literal values are hashed into the version's logical id (the test above); the values CloudFormation
        // resolves only when it deploys (parameters, resources' names and ARNs) reach the version through the digest
        JsonNode deployed = SamTranslator.deployed();
        Map<String, JsonNode> resolvedAtDeploy = new TreeMap<>();
        leaves(SamTranslator.resource(deployed, FUNCTION).path("Properties"), "", resolvedAtDeploy);
        resolvedAtDeploy.values().removeIf(value -> !References.isIntrinsic(value));

        // when
        Map<String, JsonNode> digested = new TreeMap<>();
        leaves(SamTranslator.resource(deployed, digestOf(deployed)).at("/Properties/Configuration"), "", digested);

        // then
        assertThat(resolvedAtDeploy).as("values of the function resolved at deploy").isNotEmpty()
                .containsKeys("/Environment/Variables/DRY_RUN", "/Environment/Variables/BACKUP_DEFAULTS");
        assertThat(digested).as("the digest's Configuration").isEqualTo(resolvedAtDeploy);
    }

    @Test
    void theAliasFollowsTheVersionAndTheDescriptionCarriesTheDigest() {
        JsonNode deployed = SamTranslator.resolved(Map.of());
        Version version = version(deployed);
        JsonNode alias = alias(deployed);
        String digest = InlineCustomResource.create(deployed, digestOf(deployed)).attribute("Sha256");

        assertThat(alias.at("/Properties/FunctionVersion/Fn::GetAtt").toString())
                .isEqualTo("[\"" + version.logicalId() + "\",\"Version\"]");
        assertThat(digest).matches("[0-9a-f]{64}");
        assertThat(description(deployed, version)).contains(digest).hasSizeLessThanOrEqualTo(256);
    }

    static Stream<String> parametersReachingTheFunction() {
        return CHANGED.keySet().stream().filter(name -> !REACH_NO_FUNCTION_CONFIGURATION.contains(name)).sorted();
    }

    static Stream<String> parametersReachingNoFunctionConfiguration() {
        return REACH_NO_FUNCTION_CONFIGURATION.stream().sorted();
    }

    /** Values the function's configuration takes from template.yaml itself, each written in one place. */
    static Stream<Arguments> templateChanges() {
        return Stream.of(
                Arguments.of("memory", "    MemorySize: 1024\n", "    MemorySize: 2048\n"),
                Arguments.of("timeout", "      Timeout: 60\n      # Every event source",
                        "      Timeout: 90\n      # Every event source"),
                Arguments.of("runtime", "    Runtime: java25\n", "    Runtime: java21\n"),
                Arguments.of("architecture", "    Architectures:\n      - arm64\n",
                        "    Architectures:\n      - x86_64\n"),
                Arguments.of("handler", "StartBackupJobHandler::handleRequest", "StartBackupJobHandler::handle"),
                Arguments.of("literal variable", "POWERTOOLS_LOG_LEVEL: INFO", "POWERTOOLS_LOG_LEVEL: DEBUG"),
                Arguments.of("SnapStart", "ApplyOn: PublishedVersions", "ApplyOn: None"),
                Arguments.of("layers", "      AutoPublishAlias: live\n", "      AutoPublishAlias: live\n"
                        + "      Layers:\n        - arn:aws:lambda:eu-west-1:123456789012:layer:extra:1\n"));
    }

    private static Map<String, String> deployedWith(String parameter) {
        return new HashMap<>(DEPLOYED_WITH.getOrDefault(parameter, Map.of()));
    }

    /** The version a deploy with these parameters creates or keeps, its Description resolved as CloudFormation does. */
    private static DeployedVersion deployedVersion(Map<String, String> parameters) {
        JsonNode deployed = SamTranslator.resolved(parameters);
        Version version = version(deployed);
        return new DeployedVersion(version.logicalId(), description(deployed, version));
    }

    /** The one version of the function in a deployed template. */
    private static Version version(JsonNode deployed) {
        var versions = deployed.path("Resources").properties().stream()
                .filter(resource -> resource.getValue().path("Type").asText().equals("AWS::Lambda::Version"))
                .filter(resource -> resource.getValue().at("/Properties/FunctionName/Ref").asText().equals(FUNCTION))
                .map(resource -> new Version(resource.getKey(), resource.getValue().path("Properties")))
                .toList();
        assertThat(versions).as("versions of %s", FUNCTION).hasSize(1);
        return versions.getFirst();
    }

    private static JsonNode alias(JsonNode deployed) {
        var aliases = deployed.path("Resources").properties().stream()
                .map(Map.Entry::getValue)
                .filter(resource -> resource.path("Type").asText().equals("AWS::Lambda::Alias"))
                .filter(resource -> resource.at("/Properties/FunctionName/Ref").asText().equals(FUNCTION))
                .toList();
        assertThat(aliases).as("aliases of %s", FUNCTION).hasSize(1);
        return aliases.getFirst();
    }

    /** The custom resource whose attribute the version's Description takes. */
    private static String digestOf(JsonNode deployed) {
        JsonNode description = version(deployed).properties().path("Description");
        Matcher attribute = SUB_ATTRIBUTE.matcher(description.path("Fn::Sub").asText());
        if (!attribute.find()) {
            return fail("The version's Description takes no attribute of a resource: " + description);
        }
        return attribute.group(1);
    }

    /**
     * The version's Description as CloudFormation resolves it: a text, or a Fn::Sub of custom resource attributes,
     * each the answer of that resource's handler to the deploy's Create request.
     */
    private static String description(JsonNode deployed, Version version) {
        JsonNode description = version.properties().path("Description");
        if (description.isMissingNode() || description.isTextual()) {
            return description.asText();
        }
        if (description.size() == 1 && description.path("Fn::Sub").isTextual()) {
            return SUB_ATTRIBUTE.matcher(description.path("Fn::Sub").asText()).replaceAll(attribute -> {
                InlineCustomResource.Exchange answer = InlineCustomResource.create(deployed, attribute.group(1));
                assertThat(answer.status()).as("%s answers the deploy", attribute.group(1)).isEqualTo("SUCCESS");
                return Matcher.quoteReplacement(answer.attribute(attribute.group(2)));
            });
        }
        return fail("A version Description this test cannot resolve: " + description);
    }

    /** Every value of a tree by its JSON pointer, an intrinsic function counted as one value. */
    private static void leaves(JsonNode node, String path, Map<String, JsonNode> leaves) {
        if (node.isObject() && !References.isIntrinsic(node)) {
            node.properties().forEach(field -> leaves(field.getValue(), path + "/" + field.getKey(), leaves));
        } else if (node.isArray()) {
            for (int index = 0; index < node.size(); index++) {
                leaves(node.get(index), path + "/" + index, leaves);
            }
        } else {
            leaves.put(path, node);
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
