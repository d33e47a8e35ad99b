package com.example.backupjob.tooling.runtime;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a java25 (or java21) function runs with: the function's code as sam build lays it out for java-maven (target/classes and
 * the runtime-scope dependency jars) and, separately, the runtime interface client with its own dependencies, which
 * the managed runtime provides and the function's jars must not contain.
 *
 * <p>The build writes both jar lists under target/lambda at generate-test-resources (dependency:build-classpath),
 * so they exist when the tests run, before package.
 */
public record FunctionClasspath(List<Path> function, List<Path> runtimeClient) {

    private static final String RUNTIME_CLIENT_JAR = "aws-lambda-java-runtime-interface-client";

    public FunctionClasspath {
        function = List.copyOf(function);
        runtimeClient = List.copyOf(runtimeClient);
    }

    public static FunctionClasspath fromBuild(Path projectDirectory) {
        Path target = projectDirectory.toAbsolutePath().resolve("target");
        List<Path> function = new ArrayList<>();
        function.add(target.resolve("classes"));
        function.addAll(jars(target.resolve("lambda/function.classpath")));
        return new FunctionClasspath(function, jars(target.resolve("lambda/runtime-client.classpath")));
    }

    /** The function's code directory, the counterpart of /var/task, where the runtime starts. */
    public Path taskRoot() {
        return function.getFirst();
    }

    /** The runtime client's jar, which also carries its native library. */
    public Path runtimeClientJar() {
        return runtimeClient.stream()
                .filter(jar -> jar.getFileName().toString().startsWith(RUNTIME_CLIENT_JAR))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No " + RUNTIME_CLIENT_JAR + " jar in " + runtimeClient));
    }

    /** The -classpath: the runtime's jars first, as the managed runtime loads them before the function's. */
    public String javaClasspath() {
        return Stream.concat(runtimeClient.stream(), function.stream())
                .distinct()
                .map(Path::toString)
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static List<Path> jars(Path classpathFile) {
        if (!Files.exists(classpathFile)) {
            throw new IllegalStateException(classpathFile + " is missing: run 'mvn test-compile', which writes it");
        }
        try {
            String classpath = Files.readString(classpathFile).strip();
            return classpath.isEmpty() ? List.of() : Arrays.stream(classpath.split(File.pathSeparator))
                    .map(Path::of)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
