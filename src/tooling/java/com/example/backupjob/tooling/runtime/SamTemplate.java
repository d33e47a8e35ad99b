package com.example.backupjob.tooling.runtime;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads template.yaml as sam local invoke does: CloudFormation short-form tags ({@code !Ref}, {@code !Sub},
 * {@code !GetAtt}, ...) become their long forms, and a function's properties resolve against parameter values,
 * pseudo parameters and, for a resource, its logical id as its local name.
 */
public final class SamTemplate {

    /** The account and region local runs pretend to be in; sam local uses the same account id. */
    public static final String ACCOUNT_ID = "123456789012";
    public static final String REGION = "eu-west-1";

    private static final String STACK_NAME = "local";
    /** What SAM gives a function that sets neither in its properties nor in Globals. */
    private static final int DEFAULT_TIMEOUT_SECONDS = 3;
    private static final int DEFAULT_MEMORY_SIZE = 128;
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{(!?)([^}]+)}");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final JsonNode template;

    private SamTemplate(JsonNode template) {
        this.template = template;
    }

    public static SamTemplate read(Path file) {
        YAMLMapper yaml = new YAMLMapper();
        try (JsonParser parser = yaml.createParser(file.toFile())) {
            parser.nextToken();
            return new SamTemplate(read(parser, yaml));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + file, e);
        }
    }

    /**
     * The variables an environment variables file (the format of sam's {@code --env-vars}) gives one function: its
     * {@code Parameters} object, overridden by the object named after the function's logical id.
     */
    public static Map<String, String> environmentFile(Path file, String logicalId) {
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            Map<String, String> variables = new LinkedHashMap<>();
            for (String section : List.of("Parameters", logicalId)) {
                root.path(section).properties().forEach(variable ->
                        variables.put(variable.getKey(), variable.getValue().asText()));
            }
            return variables;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + file, e);
        }
    }

    /**
     * The function with the given logical id.
     *
     * @param parameterOverrides values of template parameters, as sam's {@code --parameter-overrides}
     * @param environmentOverrides values of environment variables, as sam's {@code --env-vars}: like sam, only
     *     variables that the template declares for the function are taken
     * @throws IllegalArgumentException when a value cannot be resolved, e.g. a parameter without Default
     */
    public SamFunction function(String logicalId, Map<String, String> parameterOverrides,
            Map<String, String> environmentOverrides) {
        JsonNode resource = template.path("Resources").path(logicalId);
        if (!resource.path("Type").asText().equals("AWS::Serverless::Function")) {
            throw new IllegalArgumentException(logicalId + " is not an AWS::Serverless::Function of the template");
        }
        JsonNode properties = resource.path("Properties");
        JsonNode globals = template.path("Globals").path("Function");
        Resolver resolver = new Resolver(parameterOverrides);
        String timeout = resolver.property(properties, globals, "Timeout").orElse(String.valueOf(DEFAULT_TIMEOUT_SECONDS));
        String memorySize = resolver.property(properties, globals, "MemorySize")
                .orElse(String.valueOf(DEFAULT_MEMORY_SIZE));

        // SAM merges the Globals variables with the function's, the function's winning.
        Map<String, JsonNode> declared = new LinkedHashMap<>();
        globals.path("Environment").path("Variables").properties().forEach(v -> declared.put(v.getKey(), v.getValue()));
        properties.path("Environment").path("Variables").properties()
                .forEach(v -> declared.put(v.getKey(), v.getValue()));
        Map<String, String> environment = new LinkedHashMap<>();
        declared.forEach((name, value) -> {
            if (environmentOverrides.containsKey(name)) {
                environment.put(name, environmentOverrides.get(name));
            } else {
                resolver.resolve(value, name).ifPresent(resolved -> environment.put(name, resolved));
            }
        });
        return new SamFunction(logicalId,
                resolver.property(properties, globals, "Handler").orElseThrow(() -> missing(logicalId, "Handler")),
                resolver.property(properties, globals, "Runtime").orElseThrow(() -> missing(logicalId, "Runtime")),
                Duration.ofSeconds(Long.parseLong(timeout)), Integer.parseInt(memorySize), environment);
    }

    /**
     * A function's SQS event source as Lambda's event source mapping runs it, with the queue's visibility timeout and
     * redrive policy: the literal values of the template, which sets them without intrinsic functions.
     */
    public SqsEventSource sqsEventSource(String functionId, String eventName) {
        JsonNode source = template.path("Resources").path(functionId).path("Properties").path("Events")
                .path(eventName).path("Properties");
        String queueId = source.path("Queue").path("Fn::GetAtt").path(0).asText();
        JsonNode queue = template.path("Resources").path(queueId).path("Properties");
        return new SqsEventSource(source.path("BatchSize").asInt(),
                source.path("ScalingConfig").path("MaximumConcurrency").asInt(),
                Duration.ofSeconds(queue.path("VisibilityTimeout").asLong()),
                queue.path("RedrivePolicy").path("maxReceiveCount").asInt());
    }

    /** The settings of an SQS event source mapping and its queue that decide how records are delivered. */
    public record SqsEventSource(int batchSize, int maximumConcurrency, Duration visibilityTimeout,
            int maxReceiveCount) {
    }

    private static IllegalArgumentException missing(String logicalId, String property) {
        return new IllegalArgumentException(logicalId + " has no " + property + ", neither in Properties nor in Globals");
    }

    /** Resolves the intrinsic functions a function's properties can use locally: Ref and Fn::Sub. */
    private final class Resolver {

        private final Map<String, String> parameterOverrides;

        Resolver(Map<String, String> parameterOverrides) {
            this.parameterOverrides = parameterOverrides;
        }

        Optional<String> property(JsonNode properties, JsonNode globals, String name) {
            JsonNode value = properties.has(name) ? properties.get(name) : globals.get(name);
            return value == null ? Optional.empty() : resolve(value, name);
        }

        /** Empty for {@code AWS::NoValue}, which removes the property. */
        Optional<String> resolve(JsonNode value, String where) {
            if (value.isValueNode()) {
                return Optional.of(value.asText());
            }
            if (value.isObject() && value.size() == 1 && value.has("Ref")) {
                return ref(value.get("Ref").asText(), where);
            }
            if (value.isObject() && value.size() == 1 && value.has("Fn::Sub")) {
                return Optional.of(sub(value.get("Fn::Sub"), where));
            }
            throw new IllegalArgumentException(where + ": " + value + " cannot be resolved locally, only Ref and "
                    + "Fn::Sub can");
        }

        private Optional<String> ref(String name, String where) {
            if (parameterOverrides.containsKey(name)) {
                return Optional.of(parameterOverrides.get(name));
            }
            JsonNode parameter = template.path("Parameters").path(name);
            if (parameter.has("Default")) {
                return Optional.of(parameter.get("Default").asText());
            }
            if (!parameter.isMissingNode()) {
                throw new IllegalArgumentException(where + ": parameter " + name + " has no Default: give it a value "
                        + "as a parameter override, or give " + where + " one in the environment variables file");
            }
            if (template.path("Resources").has(name)) {
                return Optional.of(name);
            }
            return switch (name) {
                case "AWS::NoValue" -> Optional.empty();
                case "AWS::AccountId" -> Optional.of(ACCOUNT_ID);
                case "AWS::Region" -> Optional.of(REGION);
                case "AWS::Partition" -> Optional.of("aws");
                case "AWS::URLSuffix" -> Optional.of("amazonaws.com");
                case "AWS::StackName" -> Optional.of(STACK_NAME);
                default -> throw new IllegalArgumentException(where + ": Ref " + name + " names nothing in the template");
            };
        }

        /** Fn::Sub in both forms: a string, or a string and its own variables. */
        private String sub(JsonNode argument, String where) {
            String text = argument.isArray() ? argument.path(0).asText() : argument.asText();
            JsonNode variables = argument.path(1);
            Matcher matcher = SUB_VARIABLE.matcher(text);
            StringBuilder result = new StringBuilder();
            while (matcher.find()) {
                String name = matcher.group(2);
                String value;
                if (!matcher.group(1).isEmpty()) {
                    value = "${" + name + "}";
                } else if (variables.has(name)) {
                    value = resolve(variables.get(name), where).orElse("");
                } else if (name.contains(".")) {
                    throw new IllegalArgumentException(where + ": ${" + name + "} is an attribute of a resource, "
                            + "which has no local value");
                } else {
                    value = ref(name, where).orElse("");
                }
                matcher.appendReplacement(result, Matcher.quoteReplacement(value));
            }
            return matcher.appendTail(result).toString();
        }
    }

    /** Builds the tree, turning each short-form tag into its long form: {@code !Ref X} into {@code {Ref: X}}. */
    private static JsonNode read(JsonParser parser, ObjectMapper yaml) throws IOException {
        // The YAML parser reports a tag as a type id, without its leading "!".
        Object tag = parser.getTypeId();
        JsonNode node = switch (parser.currentToken()) {
            case START_OBJECT -> {
                ObjectNode object = NODES.objectNode();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    object.set(name, read(parser, yaml));
                }
                yield object;
            }
            case START_ARRAY -> {
                ArrayNode array = NODES.arrayNode();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(read(parser, yaml));
                }
                yield array;
            }
            default -> yaml.readTree(parser);
        };
        return tag == null || tag.toString().startsWith("tag:") ? node : longForm(tag.toString(), node);
    }

    private static JsonNode longForm(String tag, JsonNode argument) {
        String function = tag.equals("Ref") || tag.equals("Condition") ? tag : "Fn::" + tag;
        if (function.equals("Fn::GetAtt") && argument.isTextual()) {
            // The short form "Resource.Attribute" splits at the first dot.
            String[] parts = argument.asText().split("\\.", 2);
            argument = NODES.arrayNode().add(parts[0]).add(parts.length > 1 ? parts[1] : "");
        }
        return NODES.objectNode().set(function, argument);
    }
}
