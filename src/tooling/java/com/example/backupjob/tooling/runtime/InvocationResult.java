package com.example.backupjob.tooling.runtime;

/** What one invocation gave: the function's response, or the error Lambda would report for it. */
public sealed interface InvocationResult {

    String requestId();

    /** The JSON the function answered. */
    record Response(String requestId, String body) implements InvocationResult {
    }

    /**
     * A function error as the Runtime API received it ({@code body} holds the full JSON, stack trace included), or
     * one Lambda itself reports: {@code Sandbox.Timedout}, {@code Runtime.ExitError}.
     */
    record Error(String requestId, String errorType, String errorMessage, String body) implements InvocationResult {
    }
}
