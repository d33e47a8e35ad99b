package com.example.backupjob.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import software.amazon.event.ruler.Machine;

/** Reads the project's SAM template and state machine definition as JSON trees, short tags as their long forms. */
final class CloudFormationTemplates {

    static final Path TEMPLATE = Path.of("template.yaml");
    static final Path STATE_MACHINE = Path.of("statemachine", "start-backup-job.asl.json");

    private static final ObjectMapper JSON = new ObjectMapper();

    private CloudFormationTemplates() {
    }

    /** The template, with {@code !Ref X} as {"Ref": "X"}, {@code !GetAtt A.B} as {"Fn::GetAtt": ["A", "B"]}, ... */
    static JsonNode template() {
        try (Reader reader = Files.newBufferedReader(TEMPLATE)) {
            Object tree = new Yaml(new ShortTagConstructor()).load(reader);
            return JSON.valueToTree(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode stateMachine() {
        try {
            return JSON.readTree(STATE_MACHINE.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every IAM policy statement of a template's roles; {@link SamTranslator#deployed()} has every role created. */
    static List<JsonNode> policyStatements(JsonNode template) {
        return stream(template.path("Resources"))
                .flatMap(resource -> Stream.concat(
                        stream(resource.path("Properties").path("Policies"))
                                .flatMap(policy -> stream(policy.path("PolicyDocument").path("Statement"))),
                        stream(resource.path("Properties").path("Policies"))
                                .flatMap(policy -> stream(policy.path("Statement")))))
                .toList();
    }

    /** The statement's actions, whether written as one string or a list. */
    static List<String> actions(JsonNode statement) {
        JsonNode action = statement.path("Action");
        return action.isArray() ? stream(action).map(JsonNode::asText).toList() : List.of(action.asText());
    }

    static Stream<JsonNode> stream(JsonNode node) {
        Stream.Builder<JsonNode> items = Stream.builder();
        node.elements().forEachRemaining(items);
        return items.build();
    }

    /** Whether EventBridge's own matcher (event-ruler) takes the event for this event pattern. */
    static boolean matchesPattern(JsonNode pattern, String event) {
        Machine machine = Machine.builder().build();
        try {
            machine.addRule("rule", pattern.toString());
            return machine.rulesForJSONEvent(event).contains("rule");
        } catch (Exception e) {
            throw new IllegalStateException("event-ruler rejected the pattern or the event", e);
        }
    }

    /** SnakeYAML knows no CloudFormation tags; this maps each to the intrinsic function it abbreviates. */
    private static final class ShortTagConstructor extends SafeConstructor {

        ShortTagConstructor() {
            super(new LoaderOptions());
            yamlMultiConstructors.put("!", new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    String name = node.getTag().getValue().substring(1);
                    String key = name.equals("Ref") || name.equals("Condition") ? name : "Fn::" + name;
                    return Map.of(key, value(name, node));
                }
            });
        }

        private Object value(String name, Node node) {
            if (node instanceof ScalarNode scalar) {
                String text = constructScalar(scalar);
                // !GetAtt Resource.Attribute is the short form of ["Resource", "Attribute"].
                return name.equals("GetAtt") ? List.of(text.split("\\.", 2)) : text;
            }
            if (node instanceof SequenceNode sequence) {
                return constructSequence(sequence);
            }
            return constructMapping((MappingNode) node);
        }
    }
}
