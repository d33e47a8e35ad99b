package com.example.backupjob.tooling.runtime;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A function of template.yaml as sam local invoke runs it: Globals merged in, intrinsic functions resolved and the
 * environment variables file applied.
 */
public record SamFunction(String logicalId, String handler, String runtime, Duration timeout, int memorySize,
        Map<String, String> environment) {

    public SamFunction {
        environment = Map.copyOf(environment);
    }

    /** The function with one environment variable set, as sam's --env-vars would. */
    public SamFunction withVariable(String name, String value) {
        Map<String, String> changed = new HashMap<>(environment);
        changed.put(name, value);
        return new SamFunction(logicalId, handler, runtime, timeout, memorySize, changed);
    }

    /** The function with another timeout, e.g. to let a test outlast an invocation's deadline sooner. */
    public SamFunction withTimeout(Duration newTimeout) {
        return new SamFunction(logicalId, handler, runtime, newTimeout, memorySize, environment);
    }
}
