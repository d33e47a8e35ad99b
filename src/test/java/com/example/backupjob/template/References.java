package com.example.backupjob.template;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where a template refers to a resource or a parameter: {@code Ref}, {@code Fn::GetAtt} and Fn::Sub's ${...}. */
final class References {

    /** ${Name} or ${Name.Attribute}; ${!Literal} is no reference. */
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^!}][^}]*)}");

    /** A reference to {@code target} at {@code path}, e.g. Resources/SomeMapping/Properties/FunctionName. */
    record Reference(String path, String target) {

        /** The top-level name the path starts in, e.g. StartBackupJobFunctionRequests or Outputs/X. */
        String resource() {
            String[] parts = path.split("/");
            return parts[0].equals("Resources") ? parts[1] : parts[0] + "/" + parts[1];
        }
    }

    private References() {
    }

    /** Every reference in the template's Resources and Outputs to this logical id, whichever attribute it takes. */
    static List<Reference> to(JsonNode template, String logicalId) {
        List<Reference> references = new ArrayList<>();
        for (String section : List.of("Resources", "Outputs")) {
            visit(template.path(section), section, (path, name) -> {
                if (name.equals(logicalId)) {
                    references.add(new Reference(path, name));
                }
            });
        }
        return references;
    }

    /** The names (resources, parameters, pseudo parameters) this part of a template refers to. */
    static Set<String> names(JsonNode node) {
        Set<String> names = new TreeSet<>();
        visit(node, "", (path, name) -> names.add(name));
        return names;
    }

    /** Whether this node is an intrinsic function ({"Ref": ...}, {"Fn::Sub": ...}, ...) rather than a value. */
    static boolean isIntrinsic(JsonNode node) {
        if (!node.isObject() || node.size() != 1) {
            return false;
        }
        String key = node.fieldNames().next();
        return key.equals("Ref") || key.startsWith("Fn::");
    }

    private static void visit(JsonNode node, String path, BiConsumer<String, String> reference) {
        if (node.isObject() && node.size() == 1 && node.has("Ref")) {
            reference.accept(path, node.path("Ref").asText());
        } else if (node.isObject() && node.size() == 1 && node.has("Fn::GetAtt")) {
            JsonNode getAtt = node.path("Fn::GetAtt");
            reference.accept(path, getAtt.isArray() ? getAtt.path(0).asText() : getAtt.asText().split("\\.")[0]);
        } else if (node.isObject() && node.size() == 1 && node.has("Fn::Sub")) {
            JsonNode sub = node.path("Fn::Sub");
            JsonNode variables = sub.path(1);
            Matcher matcher = SUB_VARIABLE.matcher(sub.isArray() ? sub.path(0).asText() : sub.asText());
            while (matcher.find()) {
                String name = matcher.group(1).split("\\.")[0];
                if (!variables.has(name)) {
                    reference.accept(path, name);
                }
            }
            variables.properties().forEach(variable ->
                    visit(variable.getValue(), path + "/Fn::Sub/" + variable.getKey(), reference));
        } else if (node.isObject()) {
            node.properties().forEach(field -> visit(field.getValue(), path + "/" + field.getKey(), reference));
        } else if (node.isArray()) {
            for (int index = 0; index < node.size(); index++) {
                visit(node.get(index), path + "/" + index, reference);
            }
        }
    }
}
